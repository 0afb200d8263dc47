#include "test_util.hpp"

#include <aip/core/cli.hpp>
#include <aip/core/commands.hpp>
#include <aip/core/error.hpp>

#include <gtest/gtest.h>

using namespace aip;
namespace po = boost::program_options;

namespace {

cli::Parser make_parser(std::string subcommand = "") {
  cli::Parser p({"drift", std::move(subcommand), "Detect drift between two samples.",
                 "aip drift detect [OPTIONS] --reference REF --current CUR",
                 "  aip drift detect --reference ref.csv --current cur.csv\n"});
  p.add()("threshold", po::value<double>()->default_value(0.05),
          "p-value threshold")("method", po::value<std::string>(), "test")(
      "state-dir", po::value<std::string>(), "state")("verbose", po::bool_switch(), "more output");
  p.add_output();
  p.add_format({"jsonl", "table", "csv"});
  p.positional("input", -1);
  p.add()("input", po::value<std::vector<std::string>>(), "inputs");
  return p;
}

po::variables_map parse(cli::Parser &p, std::vector<const char *> args, const cli::Sources &s) {
  args.insert(args.begin(), "aip-drift");
  auto vm = p.parse(static_cast<int>(args.size()), args.data(), s);
  if (!vm) throw std::runtime_error("help answered");
  return *vm;
}

} // namespace

TEST(Cli, SubcommandsRunByNameAndUnknownOnesAreUsageErrors) {
  int seen = 0;
  std::vector<cli::Subcommand> commands = {
      {"import",
       [&](int c, const char *const v[]) {
         return seen = c * 10 + (std::string(v[0]) == "import");
       }},
      {"imp", [](int, const char *const[]) { return 7; }, false}};
  const char *ok[] = {"aip-x", "import", "--flag"};
  EXPECT_EQ(cli::run_subcommands("x", "usage\n", "X things", commands, 3, ok), 21);
  EXPECT_EQ(seen, 21);
  const char *none[] = {"aip-x"};
  EXPECT_EQ(cli::run_subcommands("x", "usage\n", "X things", commands, 1, none), 64);
  const char *bad[] = {"aip-x", "frob"};
  try {
    cli::run_subcommands("x", "usage\n", "X things", commands, 2, bad);
    FAIL() << "an unknown command must throw";
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::usage);
    EXPECT_STREQ(e.what(),
                 "unknown command 'frob': expected import (try --help)"); // the alias is not listed
  }
}

TEST(Cli, SplitListTakesRepeatedAndCommaSeparatedValues) {
  EXPECT_EQ(cli::split_list({"ks,cvm", "mmd", ",,a,", ""}),
            (std::vector<std::string>{"ks", "cvm", "mmd", "a"}));
  EXPECT_TRUE(cli::split_list({}).empty());
}

TEST(Cli, PrecedenceIsEtcThenXdgThenEnvironmentThenFlags) {
  test::TempDir dir;
  auto etc = dir.write("etc.conf",
                       "threshold = 0.5\nmethod = etc\nstate-dir = /etc-state\nverbose = true\n");
  auto xdg =
      dir.write("xdg.conf",
                "# user file\n[drift]\nthreshold = 0.25\nmethod = xdg\n[account]\nthreshold = 9\n");
  cli::Sources s{{etc, xdg}, {"AIP_METHOD=env", "HOME=/root", "AIP_UNRELATED=1"}};
  auto p = make_parser();
  auto vm = parse(p, {}, s);
  EXPECT_DOUBLE_EQ(vm["threshold"].as<double>(), 0.25); // xdg beats etc; [account] ignored
  EXPECT_EQ(vm["method"].as<std::string>(), "env");     // env beats files
  EXPECT_EQ(vm["state-dir"].as<std::string>(), "/etc-state");
  EXPECT_TRUE(vm["verbose"].as<bool>());
  auto p2 = make_parser();
  auto vm2 = parse(p2, {"--method", "flag", "--threshold=0.01", "a.csv", "b.csv"}, s);
  EXPECT_EQ(vm2["method"].as<std::string>(), "flag");
  EXPECT_DOUBLE_EQ(vm2["threshold"].as<double>(), 0.01);
  EXPECT_EQ(vm2["input"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"a.csv", "b.csv"}));
  cli::Sources none;
  auto p3 = make_parser();
  EXPECT_DOUBLE_EQ(parse(p3, {}, none)["threshold"].as<double>(), 0.05); // the default
}

TEST(Cli, ToolSectionOverridesGlobalKeysInTheSameFile) {
  test::TempDir dir;
  auto conf = dir.write("aip.conf", "threshold = 0.5\n[drift]\nthreshold = 0.2\n");
  auto p = make_parser();
  EXPECT_DOUBLE_EQ(parse(p, {}, cli::Sources{{conf}, {}})["threshold"].as<double>(), 0.2);
}

TEST(Cli, EnvironmentNamesMapDashesToUnderscores) {
  cli::Sources s{{}, {"AIP_STATE_DIR=/var/lib/aip"}};
  auto p = make_parser();
  EXPECT_EQ(parse(p, {}, s)["state-dir"].as<std::string>(), "/var/lib/aip");
}

TEST(Cli, BadFlagsAndValuesAreUsageErrors) {
  cli::Sources none;
  for (std::vector<const char *> args : std::vector<std::vector<const char *>>{
           {"--no-such-flag"}, {"--threshold", "abc"}, {"--threshold"}, {"--thresh", "1"}}) {
    auto p = make_parser();
    try {
      parse(p, args, none);
      ADD_FAILURE() << args[0];
    } catch (const Error &e) {
      EXPECT_EQ(e.status(), Exit::usage) << args[0];
      EXPECT_NE(std::string(e.what()).find("--help"), std::string::npos);
    }
  }
  test::TempDir dir;
  auto conf = dir.write("bad.conf", "[drift]\nthreshold = lots\n");
  auto p = make_parser();
  try {
    parse(p, {}, cli::Sources{{conf}, {}});
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::usage);
    EXPECT_NE(std::string(e.what()).find(conf), std::string::npos);
  }
}

TEST(Cli, HelpHasSynopsisOptionsAndExamples) {
  auto p = make_parser("detect");
  std::string help = p.help();
  EXPECT_EQ(help.rfind("Usage: aip drift detect [OPTIONS]", 0), 0U);
  for (const char *part : {"Detect drift", "--threshold", "-o [ --output ] FILE", "--format",
                           "Examples:", "aip drift detect --reference ref.csv", "man aip-drift"})
    EXPECT_NE(help.find(part), std::string::npos) << part;
  EXPECT_EQ(p.version(), "aip-drift (aip) " AIP_VERSION_FOR_TEST "\n");
  std::vector<const char *> args{"aip-drift", "--help"};
  testing::internal::CaptureStdout();
  auto vm = p.parse(2, args.data(), cli::Sources{});
  std::string printed = testing::internal::GetCapturedStdout();
  EXPECT_FALSE(vm.has_value());
  EXPECT_EQ(printed, help);
}

TEST(Cli, FormatDefaultsAndValidation) {
  auto p = make_parser();
  Output out("-");
  auto vm = parse(p, {"--format", "csv"}, {});
  EXPECT_EQ(p.format(vm, out), "csv");
  auto p2 = make_parser();
  auto vm2 = parse(p2, {"--format", "xml"}, {});
  EXPECT_THROW(p2.format(vm2, out), Error);
  auto p3 = make_parser();
  auto vm3 = parse(p3, {}, {});
  EXPECT_EQ(p3.format(vm3, out), out.is_terminal() ? "table" : "jsonl");
}

TEST(Cli, IniReaderSectionsValuesAndErrors) {
  std::vector<std::string> seen;
  cli::read_ini(
      "top = 1\n# comment\n; comment\n\n[drift] \n method = \"ks, mmd\"\r\n[queue "
      "gpu]\nmax_gpus=4\n",
      "site.conf",
      [&](const std::string &header, const std::string &where) {
        seen.push_back("[" + header + "] " + where);
      },
      [&](const cli::IniEntry &e) {
        seen.push_back(e.section + "/" + e.key + "=" + e.value + " " + e.where);
      });
  const std::vector<std::string> expected = {
      "/top=1 site.conf:1", "[drift] site.conf:5", "drift/method=ks, mmd site.conf:6",
      "[queue gpu] site.conf:7", "queue gpu/max_gpus=4 site.conf:8"};
  EXPECT_EQ(seen, expected);
  auto error = [](const char *text) {
    try {
      cli::read_ini(text, "f.conf", nullptr, [](const cli::IniEntry &) {});
    } catch (const Error &e) {
      EXPECT_EQ(e.status(), Exit::usage);
      return std::string(e.what());
    }
    return std::string("(none)");
  };
  EXPECT_EQ(error("a = 1\n[open\n"), "f.conf:2: expected [section]");
  EXPECT_EQ(error("\n\njust words\n"), "f.conf:3: expected 'name = value'");
}
