// aip-sqa-check: assess a checkout against the SQA baseline criteria. Options -> lib/sqa -> report.
#include <aip/core/cli.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/io.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/core/version.hpp>
#include <aip/sqa/assess.hpp>
#include <aip/sqa/report.hpp>

#include <cstdlib>
#include <filesystem>

namespace {

using namespace aip;
namespace po = boost::program_options;

int body(int argc, const char *const argv[]) {
  cli::Parser p({"sqa-check", "",
                 "Assess a repository against the SQA baseline criteria: badge, score, SARIF",
                 "aip sqa-check [OPTIONS] [PATH]",
                 "  aip sqa-check                                  # this checkout, as a table\n"
                 "  aip sqa-check . --format sarif -o sqa.sarif --require silver   # CI step for "
                 "code scanning\n"
                 "  aip sqa-check ~/src/proj -f markdown >> \"$GITHUB_STEP_SUMMARY\"\n"
                 "  aip sqa-check -f badge -o public/sqa.json     # shields.io endpoint badge\n"
                 "  aip sqa-check -f junit -o sqa-junit.xml --min-score 7\n"
                 "  aip sqa-check --run-linters --linters shellcheck,cppcheck -f sarif\n"
                 "  aip sqa-check --waive sec-pinned-actions='internal runners only' --ignore "
                 "'third_party/**'\n"});
  p.add()("path", po::value<std::string>()->value_name("PATH"),
          "the checkout to assess (default: the current folder)")(
      "require", po::value<std::string>()->value_name("BADGE"),
      "exit 1 unless this badge is earned: bronze, silver or gold")(
      "min-score", po::value<double>()->value_name("N"), "exit 1 when the score (0-10) is below N")(
      "coverage-threshold", po::value<double>()->value_name("PCT"),
      "QC.Uni01 line coverage threshold in percent (default 70)")(
      "ignore", po::value<std::vector<std::string>>()->composing()->value_name("GLOB"),
      "leave out paths matching GLOB (repeatable; '**' crosses folders)")(
      "waive", po::value<std::vector<std::string>>()->composing()->value_name("ID=REASON"),
      "waive a check, sub-criterion or criterion with a reason (repeatable)")(
      "no-v-prefix", po::bool_switch(), "release tags must be bare SemVer (1.2.3, not v1.2.3)")(
      "verify-swhid", po::bool_switch(),
      "hash the working tree into its SWHID (swh:1:dir:) and compare it with HEAD's")(
      "run-linters", po::bool_switch(),
      "run installed linters that fit the languages found and report their findings")(
      "linters", po::value<std::vector<std::string>>()->composing()->value_name("A,B"),
      "only these linters: cppcheck shellcheck flake8 bandit yamllint licensecheck reuse (implies "
      "--run-linters)")(
      "license-dir",
      po::value<std::string>()->default_value("/usr/share/common-licenses")->value_name("DIR"),
      "reference licence texts (Debian's common-licenses)")("no-project-config", po::bool_switch(),
                                                            "ignore the checkout's .sqa-check.yml");
  p.positional("path", 1);
  p.add_output();
  p.add_format({"table", "jsonl", "json", "sarif", "markdown", "badge", "junit"});
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  const auto root = vm->count("path") ? (*vm)["path"].as<std::string>() : std::string(".");
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) fail(Exit::no_input, root + ": no such file or folder");
  if (!std::filesystem::is_directory(root, ec)) fail(Exit::no_input, root + ": not a folder");
  const auto abs = std::filesystem::canonical(root, ec).string();

  sqa::ProjectConfig project;
  if (!(*vm)["no-project-config"].as<bool>()) project = sqa::load_project_config(abs);
  sqa::Options o;
  o.ignore = project.ignore;
  o.waive = project.waive;
  if (project.coverage_threshold) o.coverage_threshold = *project.coverage_threshold;
  if (vm->count("coverage-threshold"))
    o.coverage_threshold = (*vm)["coverage-threshold"].as<double>();
  if (!(o.coverage_threshold >= 0 && o.coverage_threshold <= 100))
    usage_error("--coverage-threshold must be within 0..100");
  if (vm->count("ignore"))
    for (const auto &g : (*vm)["ignore"].as<std::vector<std::string>>()) o.ignore.push_back(g);
  if (vm->count("waive"))
    for (const auto &w : (*vm)["waive"].as<std::vector<std::string>>()) {
      const auto eq = w.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == w.size())
        usage_error("--waive: expected ID=REASON, got '" + w + "'");
      o.waive[w.substr(0, eq)] = w.substr(eq + 1);
    }
  o.allow_v_prefix = !(*vm)["no-v-prefix"].as<bool>();
  o.verify_swhid = (*vm)["verify-swhid"].as<bool>();
  o.license_dir = (*vm)["license-dir"].as<std::string>();
  if (vm->count("linters"))
    o.linters = cli::split_list((*vm)["linters"].as<std::vector<std::string>>());
  o.run_linters = (*vm)["run-linters"].as<bool>() || !o.linters.empty();
  std::optional<std::string> require = project.require;
  if (vm->count("require")) require = (*vm)["require"].as<std::string>();
  if (require && sqa::badge_rank(*require) < 1)
    usage_error("--require: expected bronze, silver or gold, got '" + *require + "'");
  std::optional<double> min_score = project.min_score;
  if (vm->count("min-score")) min_score = (*vm)["min-score"].as<double>();
  if (min_score && !(*min_score >= 0 && *min_score <= 10))
    usage_error("--min-score must be within 0..10");

  auto report = sqa::assess(abs, o);
  for (const auto &w : report.warnings) diag::warning(w);

  Output out(vm->count("output") ? (*vm)["output"].as<std::string>() : "-");
  const auto format = p.format(*vm, out);
  if (format == "table") {
    const char *nc = std::getenv("NO_COLOR");
    const char *term = std::getenv("TERM");
    const bool color = out.is_terminal() && (nc == nullptr || *nc == '\0') &&
                       !(term && std::string(term) == "dumb");
    out << sqa::render_table(report, color);
  } else if (format == "jsonl") {
    jsonl::Writer w(out);
    for (const auto &c : sqa::to_records(report)) w.write(records::to_json(c));
  } else if (format == "json") {
    out << sqa::render_json(report).dump(2) << "\n";
  } else if (format == "sarif") {
    out << sqa::render_sarif(report, AIP_VERSION).dump(2) << "\n";
  } else if (format == "markdown") {
    out << sqa::render_markdown(report);
  } else if (format == "badge") {
    out << sqa::render_badge(report).dump() << "\n";
  } else {
    out << sqa::render_junit(report);
  }
  out.commit();

  bool short_of = false;
  if (require && sqa::badge_rank(report.badge) < sqa::badge_rank(*require)) {
    diag::error("badge " + report.badge + " is below the required " + *require);
    short_of = true;
  }
  if (min_score && report.score + 1e-9 < *min_score) {
    char b[96];
    std::snprintf(b, sizeof b, "score %.1f is below the required %.1f", report.score, *min_score);
    diag::error(b);
    short_of = true;
  }
  return short_of ? static_cast<int>(Exit::finding) : 0;
}

} // namespace

int main(int argc, char *argv[]) {
  return aip::cli::run("aip-sqa-check", [&] { return body(argc, argv); });
}
