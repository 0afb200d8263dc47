// aip-drift: detect data and concept drift. Options -> lib/drift -> records.
#include <aip/core/cli.hpp>
#include <aip/core/commands.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/io.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/core/units.hpp>
#include <aip/drift/detect.hpp>
#include <aip/drift/html.hpp>
#include <aip/stats/stream.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace {

using namespace aip;
namespace po = boost::program_options;

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

int detect(int argc, const char *const argv[]) {
  cli::Parser p(
      {"drift", "detect",
       "Test current data against reference data for drift; exit 1 when drift is found.",
       "aip drift detect --reference REF --current CUR [--method M...] [OPTIONS]",
       "  aip drift detect --reference ref.csv --current today.csv\n"
       "  aip drift detect -r ref.npy -c today.npy --method mmd --permutations 2000 --seed 1\n"
       "  aip drift detect -r ref.csv -c cur.csv --method ks,cvm --correction holm -f table\n"
       "  aip drift detect -r ref.jsonl -c cur.jsonl --array-field embedding --method mmd\n"
       "  aip drift detect -r ref.csv -c cur.csv -f html -o report.html || alert\n"});
  p.add()("reference,r", po::value<std::string>()->required()->value_name("FILE"),
          "reference data (CSV, JSON Lines or .npy)")(
      "current,c", po::value<std::string>()->required()->value_name("FILE"),
      "current data, same columns ('-': stdin)")(
      "method,m", po::value<std::vector<std::string>>()->composing()->value_name("M"),
      "tests, repeatable or comma-separated: ks cvm anderson kuiper bws mannwhitney welch chi2 "
      "wasserstein energy "
      "hellinger psi js kl hi "
      "bhattacharyya mmd (default ks; chi2 on categorical columns)")(
      "features", po::value<std::vector<std::string>>()->composing()->value_name("A,B"),
      "only these columns")("threshold", po::value<double>()->default_value(0.05)->value_name("P"),
                            "drift when the (corrected) p-value is below P")(
      "correction", po::value<std::string>()->default_value("none")->value_name("C"),
      "none, bonferroni, holm or bh")("max-drift-share",
                                      po::value<double>()->default_value(0.0)->value_name("S"),
                                      "dataset drift when more than this share of tests drift")(
      "permutations", po::value<std::size_t>()->default_value(1000)->value_name("N"),
      "permutations for distances and mmd (0: none)")(
      "seed", po::value<std::uint64_t>()->default_value(0)->value_name("S"),
      "seed of the permutation streams")("sigma",
                                         po::value<double>()->default_value(0.0)->value_name("S"),
                                         "mmd bandwidth (0: median heuristic)")(
      "kernel", po::value<std::string>()->default_value("rbf")->value_name("K"),
      "mmd kernel: rbf, laplacian or linear")(
      "bins", po::value<std::size_t>()->default_value(10)->value_name("N"),
      "bins of the binned distances")(
      "binning", po::value<std::string>()->default_value("equal-width")->value_name("B"),
      "equal-width (over the pooled range) or quantile (of the reference)")(
      "raw", po::bool_switch(), "raw binned divergences: empty bins give infinity")(
      "nan", po::value<std::string>()->default_value("error")->value_name("P"),
      "error or drop rows with missing values")(
      "input-format", po::value<std::string>()->default_value("auto")->value_name("F"),
      "auto, csv, jsonl or npy")("array-field", po::value<std::string>()->value_name("F"),
                                 "JSON Lines: the field holding an embedding array");
  p.add_output();
  p.add_format({"jsonl", "table", "csv", "json", "html"});
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  table::Options in;
  in.format = table::parse_format((*vm)["input-format"].as<std::string>());
  const auto nan = (*vm)["nan"].as<std::string>();
  if (nan != "error" && nan != "drop")
    usage_error("--nan: expected error or drop, got '" + nan + "'");
  in.nan = nan == "drop" ? table::Nan::drop : table::Nan::error;
  if (vm->count("features") != 0U)
    in.features = cli::split_list((*vm)["features"].as<std::vector<std::string>>());
  if (vm->count("array-field") != 0U) in.array_field = (*vm)["array-field"].as<std::string>();
  drift::DetectOptions o;
  if (vm->count("method") != 0U)
    o.methods = cli::split_list((*vm)["method"].as<std::vector<std::string>>());
  o.threshold = (*vm)["threshold"].as<double>();
  if (!(o.threshold > 0 && o.threshold <= 1)) usage_error("--threshold must be in (0, 1]");
  o.correction = stats::parse_correction((*vm)["correction"].as<std::string>());
  o.max_drift_share = (*vm)["max-drift-share"].as<double>();
  o.permutations = (*vm)["permutations"].as<std::size_t>();
  o.seed = (*vm)["seed"].as<std::uint64_t>();
  o.sigma = (*vm)["sigma"].as<double>();
  o.kernel = stats::parse_kernel((*vm)["kernel"].as<std::string>());
  o.bins = (*vm)["bins"].as<std::size_t>();
  const auto binning = (*vm)["binning"].as<std::string>();
  if (binning != "equal-width" && binning != "quantile")
    usage_error("--binning: expected equal-width or quantile");
  o.binning = binning == "quantile" ? stats::Binning::quantile : stats::Binning::equal_width;
  o.raw = (*vm)["raw"].as<bool>();
  const auto ref_path = (*vm)["reference"].as<std::string>(),
             cur_path = (*vm)["current"].as<std::string>();
  if (is_stdio(ref_path) && is_stdio(cur_path))
    usage_error("--reference and --current cannot both be stdin");
  auto ref = table::read(ref_path, in);
  auto cur = table::read(cur_path, in);
  if (ref.dropped + cur.dropped > 0)
    diag::note("left out " + std::to_string(ref.dropped) + " reference and " +
               std::to_string(cur.dropped) + " current rows with missing values");
  auto result = drift::detect(ref, cur, o);
  Output out((*vm).count("output") != 0U ? (*vm)["output"].as<std::string>() : "-");
  const auto format = p.format(*vm, out);
  std::vector<records::Drift> all = result.features;
  all.push_back(result.dataset);
  if (format == "jsonl") {
    jsonl::Writer w(out);
    for (const auto &d : all) w.write(records::to_json(d));
  } else if (format == "json") {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto &d : all) arr.push_back(records::to_json(d));
    out << arr.dump(2) << "\n";
  } else if (format == "csv") {
    out << "method,feature,statistic,p_value,threshold,drift,n_ref,n_cur\n";
    for (const auto &d : all)
      out << d.method << "," << d.feature.value_or("") << "," << fmt(d.statistic) << ","
          << (d.p_value ? fmt(*d.p_value) : "") << "," << fmt(d.threshold) << ","
          << (d.drift ? "true" : "false") << "," << (d.n_ref ? std::to_string(*d.n_ref) : "") << ","
          << (d.n_cur ? std::to_string(*d.n_cur) : "") << "\n";
  } else if (format == "table") {
    char line[256];
    std::snprintf(line, sizeof line, "%-14s %-20s %12s %12s %6s\n", "METHOD", "FEATURE",
                  "STATISTIC", "P-VALUE", "DRIFT");
    out << line;
    for (const auto &d : all) {
      std::snprintf(line, sizeof line, "%-14s %-20s %12s %12s %6s\n", d.method.c_str(),
                    d.feature.value_or("-").c_str(), fmt(d.statistic).c_str(),
                    d.p_value ? fmt(*d.p_value).c_str() : "-", d.drift ? "yes" : "no");
      out << line;
    }
  } else {
    drift::HtmlInput h;
    h.title = "Drift: " + ref.source + " vs " + cur.source;
    h.generated_at = format_timestamp(
        static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()));
    h.results = result.features;
    h.reference = &ref;
    h.current = &cur;
    out << drift::render_html(h);
  }
  out.commit();
  return result.drift() ? static_cast<int>(Exit::finding) : 0;
}

int stream(int argc, const char *const argv[]) {
  cli::Parser p(
      {"drift", "stream",
       "Watch a stream of values; write a record at each warning and drift as it happens.",
       "aip drift stream --method M [--param K=V...] [--field F] [--state FILE] [FILE]",
       "  tail -f errors.log | aip drift stream --method ddm\n"
       "  aip drift stream --method page-hinkley --param lambda=25 values.txt\n"
       "  aip drift stream --method cusum --field latency --state /var/lib/aip/cusum.json < "
       "today.jsonl\n"
       "  aip drift stream --method adwin --param delta=0.001 errors.txt\n"
       "  aip drift stream --method ks --reference train.csv --field score --param window=1000 < "
       "live.jsonl\n\n"
       "Methods and their parameters (defaults):\n" +
           std::string(stats::detector_parameters())});
  p.add()("method,m", po::value<std::string>()->required()->value_name("M"),
          stats::detector_names())(
      "param", po::value<std::vector<std::string>>()->composing()->value_name("K=V"),
      "detector parameter, repeatable (see the list below)")(
      "reference,r", po::value<std::string>()->value_name("FILE"),
      "ks: the fixed reference sample (CSV, JSON Lines or .npy; its --field column, else the "
      "first)")("field", po::value<std::string>()->value_name("F"),
                "read this field of JSON Lines records instead of plain numbers")(
      "state", po::value<std::string>()->value_name("FILE"),
      "load the detector from FILE and save it back at the end")(
      "no-reset", po::bool_switch(), "keep the detector running after a drift")(
      "input", po::value<std::string>()->default_value("-"), "input");
  p.positional("input", 1);
  p.add_output();
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  stats::DetectorOptions dopt;
  if (vm->count("param") != 0U)
    for (const auto &kv : (*vm)["param"].as<std::vector<std::string>>()) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) usage_error("--param: expected K=V, got '" + kv + "'");
      try {
        dopt.params[kv.substr(0, eq)] = std::stod(kv.substr(eq + 1));
      } catch (const std::exception &) {
        usage_error("--param " + kv + ": the value must be a number");
      }
    }
  const auto method = (*vm)["method"].as<std::string>();
  const std::string field = vm->count("field") != 0U ? (*vm)["field"].as<std::string>() : "";
  if (vm->count("reference") != 0U) {
    if (method != "ks") usage_error("--reference is for the ks method only");
    const auto path = (*vm)["reference"].as<std::string>();
    table::Options in;
    if (!field.empty()) in.features = {field};
    auto ref = table::read(path, in);
    const table::Column *col = nullptr;
    for (const auto &c : ref.columns)
      if (!c.categorical) {
        col = &c;
        break;
      }
    if (col == nullptr) data_error(path + ": no numeric column for the reference sample");
    dopt.reference = col->numbers;
  }
  auto detector = stats::make_detector(method, dopt);
  std::uint64_t index = 0;
  bool warned = false; // a warning record is written when the detector enters the warning zone
  std::string state_path = vm->count("state") != 0U ? (*vm)["state"].as<std::string>() : "";
  if (!state_path.empty()) {
    std::ifstream in(state_path);
    if (in) {
      auto st = nlohmann::json::parse(in, nullptr, false);
      if (st.is_discarded() || !st.is_object() || st.value("method", "") != method ||
          !st.contains("detector"))
        data_error(state_path + ": not a saved state of a " + method + " detector");
      try {
        detector->restore(st["detector"]);
        index = st.at("index").get<std::uint64_t>();
        warned = st.value("warning", false);
      } catch (const nlohmann::json::exception &e) {
        data_error(state_path + ": damaged state: " + e.what());
      }
    }
  }
  const bool reset = !(*vm)["no-reset"].as<bool>();
  Output out(vm->count("output") != 0U ? (*vm)["output"].as<std::string>() : "-");
  jsonl::Writer writer(out);
  auto lines = LineReader::open((*vm)["input"].as<std::string>());
  std::string_view line;
  bool any_drift = false;
  while (lines->next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = lines->name() + ":" + std::to_string(lines->line_number());
    double value;
    if (!field.empty()) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) data_error(where + ": invalid JSON");
      if (!j.contains(field) || !j[field].is_number())
        data_error(where + ": field '" + field + "': expected a number");
      value = j[field].get<double>();
    } else {
      std::string text(line);
      std::size_t used = 0;
      try {
        value = std::stod(text, &used);
      } catch (const std::exception &) {
        used = 0;
      }
      if (used == 0 || text.find_first_not_of(" \t\r", used) != std::string::npos) {
        if (lines->line_number() == 1) continue; // a CSV header
        data_error(where + ": expected a number, got '" + text + "'");
      }
    }
    if (!std::isfinite(value)) data_error(where + ": NaN or infinity");
    auto signal = detector->update(value);
    const bool enter_warning = signal == stats::Signal::warning && !warned;
    warned = signal == stats::Signal::warning;
    if (signal == stats::Signal::drift || enter_warning) {
      records::Drift d;
      d.method = method;
      d.statistic = detector->statistic();
      d.threshold = detector->threshold();
      d.drift = signal == stats::Signal::drift;
      d.index = index;
      d.level = d.drift ? "drift" : "warning";
      d.params = detector->parameters();
      writer.write(records::to_json(d));
      writer.flush(); // one record as it happens: `tail -f | aip drift stream` works
      any_drift = any_drift || d.drift;
      if (d.drift && reset) detector->reset();
    }
    ++index;
  }
  out.commit();
  if (!state_path.empty()) {
    AtomicFile f(state_path);
    f.write(nlohmann::json{{"method", method},
                           {"index", index},
                           {"warning", warned},
                           {"detector", detector->save()}}
                .dump() +
            "\n");
    f.commit();
  }
  return any_drift ? static_cast<int>(Exit::finding) : 0;
}

int drift_main(int argc, char **argv) {
  const std::string usage =
      "Usage: aip drift detect --reference REF --current CUR [OPTIONS]\n"
      "       aip drift stream --method M [OPTIONS] [FILE]\n\n"
      "Detect data and concept drift of deployed models. Exit 1 when drift is found.\n"
      "Run 'aip drift COMMAND --help' for a command's options; full documentation: man aip-drift\n";
  return cli::run_subcommands(
      "drift", usage,
      "Detect data and concept drift: two-sample tests, distances, MMD, streaming detectors",
      {{"detect", [](int c, const char *const v[]) { return detect(c, v); }},
       {"stream", [](int c, const char *const v[]) { return stream(c, v); }}},
      argc, argv);
}

} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip-drift", [&] { return drift_main(argc, argv); });
}
