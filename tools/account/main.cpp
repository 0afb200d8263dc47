// aip-account: accounting from usage records. Options -> lib/accounting -> records.
#include <aip/accounting/fairshare.hpp>
#include <aip/accounting/import.hpp>
#include <aip/accounting/render.hpp>
#include <aip/accounting/report.hpp>
#include <aip/accounting/store.hpp>
#include <aip/core/cli.hpp>
#include <aip/core/commands.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/io.hpp>
#include <aip/core/units.hpp>

#include <aip/core/csv.hpp>
#include <aip/core/jsonl.hpp>

#include <cmath>
#include <cstring>
#include <ctime>
#include <iostream>

namespace {

using namespace aip;
namespace po = boost::program_options;

std::vector<std::string> inputs(const po::variables_map &vm) {
  if (vm.count("input") == 0U) return {"-"};
  return vm["input"].as<std::vector<std::string>>();
}

// A password on the command line is visible to every user in ps(1): refuse it.
void refuse_password_in_argv(int argc, const char *const argv[]) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    if (a == "--db" && i + 1 < argc)
      value = argv[i + 1];
    else if (a.rfind("--db=", 0) == 0)
      value = a.substr(5);
    if (!value.empty() && accounting::conninfo_has_password(value))
      usage_error("--db: the connection string carries a password, which other users can read in "
                  "the process "
                  "list; put it in PGPASSFILE (~/.pgpass) or give the connection string in AIP_DB");
  }
}

std::string database(const po::variables_map &vm) {
  if (vm.count("db") == 0U) usage_error("--db URL (or AIP_DB) is required");
  return vm["db"].as<std::string>();
}

void add_db(cli::Parser &p) {
  p.add()("db", po::value<std::string>()->value_name("URL"),
          "PostgreSQL connection string (libpq URL or key=value; also AIP_DB); the password comes "
          "from PGPASSFILE");
}

int import_cmd(int argc, const char *const argv[]) {
  cli::Parser p(
      {"account", "import",
       "Convert sacct, SWF or APEL accounting exports into aip.usage/v1 records.",
       "aip account import --from sacct|swf|apel [OPTIONS] [FILE...]",
       "  sacct -a -P -S 2026-11-01 -o "
       "jobid,jobidraw,cluster,partition,account,user,submit,start,end,elapsed,"
       "exitcode,state,nnodes,ncpus,reqmem,alloctres,totalcpu,maxrss \\\n"
       "    | aip account import --from sacct > usage.jsonl\n"
       "  sacct -c -P -o jobid,user,start,end,state,ncpus | aip account import --from sacct --utc\n"
       "  zcat NASA-iPSC-1993-3.1-cln.swf.gz | aip account import --from swf > nasa.jsonl\n"
       "  aip account import --from apel --skip-invalid /var/spool/apel/outgoing/*/* -o "
       "apel.jsonl\n"});
  p.add()("from", po::value<std::string>()->required()->value_name("SRC"),
          "input kind: sacct (sacct -P or -c -P "
          "with a header), swf or apel")(
      "site", po::value<std::string>()->value_name("NAME"),
      "site of every record (default: sacct's Cluster, SWF's Installation, APEL's Site)")(
      "vo", po::value<std::string>()->value_name("NAME"),
      "virtual organisation of every record without one")(
      "utc", po::bool_switch(),
      "sacct: the times are UTC (sacct prints the local time of TZ by default)")(
      "skip-invalid", po::bool_switch(),
      "leave bad records out and count them on stderr, instead of exit 65");
  p.add()("input", po::value<std::vector<std::string>>()->value_name("FILE"),
          "input files ('-' or none: stdin)");
  p.positional("input", -1);
  p.add_output();
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  auto source = accounting::parse_source((*vm)["from"].as<std::string>());
  accounting::ImportOptions o;
  o.skip_invalid = (*vm)["skip-invalid"].as<bool>();
  o.utc = (*vm)["utc"].as<bool>();
  if (vm->count("site") != 0U) o.site = (*vm)["site"].as<std::string>();
  if (vm->count("vo") != 0U) o.vo = (*vm)["vo"].as<std::string>();
  Output out(vm->count("output") != 0U ? (*vm)["output"].as<std::string>() : "-");
  std::string line;
  accounting::ImportStats total;
  for (const auto &path : inputs(*vm)) {
    auto text = read_file(path);
    auto st =
        accounting::import_usage(source, text, display_name(path), o, [&](const records::Usage &u) {
          line.clear();
          records::append_usage_line(line, u);
          out.write(line);
        });
    total.records += st.records;
    total.invalid += st.invalid;
    total.not_ended += st.not_ended;
    total.steps += st.steps;
    total.orphan_steps += st.orphan_steps;
    if (total.first_invalid.empty()) total.first_invalid = st.first_invalid;
  }
  out.commit();
  std::string note = "imported " + std::to_string(total.records) + " records";
  if (total.steps) note += ", " + std::to_string(total.steps) + " job steps folded into their jobs";
  if (total.not_ended)
    note += ", " + std::to_string(total.not_ended) + " jobs not ended (left out)";
  if (total.orphan_steps)
    note += ", " + std::to_string(total.orphan_steps) + " steps without their job (left out)";
  diag::note(note);
  if (total.invalid) {
    diag::warning("left out " + std::to_string(total.invalid) +
                  " invalid records; the first: " + total.first_invalid);
  }
  return 0;
}

// --since/--until: RFC 3339, epoch seconds, or a bare date meaning its midnight UTC.
double flag_time(const std::string &text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-')
    return parse_timestamp(text + "T00:00:00Z", Exit::usage);
  return parse_timestamp(text, Exit::usage);
}

accounting::ReportSpec report_spec(const po::variables_map &vm) {
  accounting::ReportSpec s;
  if (vm.count("by") != 0U)
    for (const auto &b : cli::split_list(vm["by"].as<std::vector<std::string>>())) {
      if (b == "hour" || b == "day" || b == "week" || b == "month" || b == "quarter" ||
          b == "year") {
        if (s.period != accounting::Period::none) usage_error("--by: only one period");
        s.period = accounting::parse_period(b);
      } else {
        s.dims.push_back(accounting::parse_dim(b));
      }
    }
  if (vm.count("where") != 0U)
    for (const auto &w : vm["where"].as<std::vector<std::string>>())
      s.where.push_back(accounting::parse_filter(w));
  if (vm.count("since") != 0U) s.since = flag_time(vm["since"].as<std::string>());
  if (vm.count("until") != 0U) s.until = flag_time(vm["until"].as<std::string>());
  if (s.since && s.until && *s.until <= *s.since) usage_error("--until must be after --since");
  s.top = vm["top"].as<std::size_t>();
  s.sort = vm["sort"].as<std::string>();
  const auto &names = accounting::metric_names();
  if (std::find(names.begin(), names.end(), s.sort) == names.end())
    usage_error("--sort: unknown metric '" + s.sort + "' (" + cli::join_choices(names) + ")");
  s.skip_invalid = vm["skip-invalid"].as<bool>();
  return s;
}

int report_cmd(int argc, const char *const argv[]) {
  cli::Parser p(
      {"account", "report",
       "Aggregate usage records by user, project, VO, site, queue, state, GPU model and period.",
       "aip account report [--by DIM,...,PERIOD] [OPTIONS] [FILE...]\n"
       "       aip account report --db URL [--by ...] [OPTIONS]",
       "  aip account report --by project,month usage.jsonl\n"
       "  aip account report --by user --top 10 --sort gpu_hours --where 'gpus>0' usage.jsonl\n"
       "  aip account report --by project,month --format svg --chart-metric gpu_hours -o gpu.svg "
       "usage.jsonl\n"
       "  aip account report --by site,quarter --since 2026-01-01 --until 2027-01-01 -f csv "
       "usage.jsonl\n"
       "  aip account report --format apel --submit-host ce.example.org --service-level 10.5 "
       "usage.jsonl\n"
       "  AIP_DB=postgresql://acct@db/acct aip account report --by vo,month\n"});
  p.add()("by", po::value<std::vector<std::string>>()->composing()->value_name("DIM,..."),
          "group by user, project, vo, site, queue, state, gpu_model, cores and at most one "
          "period: hour, day, "
          "week, month, quarter, year (UTC; jobs spanning periods are split pro rata)")(
      "where", po::value<std::vector<std::string>>()->composing()->value_name("EXPR"),
      "keep records where FIELD=V[|V...], FIELD!=V, or a number field (gpus, cores, wall_s, cpu_s, "
      "exit_code, "
      "gpu_util_mean) compared with <, <=, >, >=; repeatable (all must hold)")(
      "since", po::value<std::string>()->value_name("TIME"),
      "count only time from TIME on (RFC 3339, a date: its midnight UTC, or epoch seconds)")(
      "until", po::value<std::string>()->value_name("TIME"), "count only time before TIME")(
      "top", po::value<std::size_t>()->default_value(0)->value_name("N"),
      "only the N groups with the largest --sort metric")(
      "sort", po::value<std::string>()->default_value("cpu_hours")->value_name("METRIC"),
      "the metric --top ranks by")(
      "chart-metric", po::value<std::string>()->default_value("cpu_hours")->value_name("METRIC"),
      "svg: the metric drawn")("title", po::value<std::string>()->value_name("TEXT"),
                               "svg: the chart's title")(
      "submit-host", po::value<std::string>()->value_name("HOST"),
      "apel: SubmitHost of the summaries")(
      "service-level", po::value<double>()->default_value(1.0)->value_name("HS06"),
      "apel: HEPSPEC06 per core, for the normalised durations")(
      "skip-invalid", po::bool_switch(),
      "leave bad records out and count them on stderr, instead of exit 65")(
      "raw", po::bool_switch(),
      "--db: compute from the stored records even where the daily roll-ups would answer");
  add_db(p);
  p.add()("input", po::value<std::vector<std::string>>()->value_name("FILE"),
          "input files ('-' or none: stdin)");
  p.positional("input", -1);
  p.add_output();
  p.add_format({"table", "csv", "jsonl", "json", "svg", "apel"});
  refuse_password_in_argv(argc, argv);
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  auto spec = report_spec(*vm);
  Output out(vm->count("output") != 0U ? (*vm)["output"].as<std::string>() : "-");
  auto format = accounting::parse_format(p.format(*vm, out));
  if (format == accounting::Format::apel) {
    if (!spec.dims.empty() || spec.period != accounting::Period::none)
      usage_error(
          "--format apel groups by site, VO, user, processors and month itself: leave out --by");
    spec = accounting::apel_spec(spec);
  }
  accounting::RenderOptions ro;
  ro.chart_metric = (*vm)["chart-metric"].as<std::string>();
  if (vm->count("title") != 0U) ro.title = (*vm)["title"].as<std::string>();
  if (vm->count("submit-host") != 0U) ro.submit_host = (*vm)["submit-host"].as<std::string>();
  ro.service_level = (*vm)["service-level"].as<double>();
  accounting::Report r;
  // Input files win over a database named by AIP_DB or a config file; --db and files clash.
  bool db_flag = false;
  for (int i = 1; i < argc; ++i) db_flag = db_flag || std::strncmp(argv[i], "--db", 4) == 0;
  if (db_flag && vm->count("input") != 0U) usage_error("give either --db or input files, not both");
  if (vm->count("db") != 0U && (db_flag || vm->count("input") == 0U)) {
    accounting::Store store(database(*vm));
    r = store.report(spec, (*vm)["raw"].as<bool>());
  } else {
    r = accounting::aggregate_files(inputs(*vm), spec);
  }
  out << accounting::render(r, format, ro);
  out.commit();
  if (r.skipped > 0)
    diag::warning("left out " + std::to_string(r.skipped) +
                  " invalid records; the first: " + r.first_skipped);
  return 0;
}

int db_cmd(int argc, const char *const argv[]) {
  cli::Parser p({"account", "db",
                 "Create or upgrade the PostgreSQL accounting schema, print its version, or "
                 "recompute the daily roll-ups.",
                 "aip account db init|migrate|version|rebuild-rollups --db URL",
                 "  aip account db init --db postgresql://acct@db.example.org/acct\n"
                 "  AIP_DB=postgresql:///acct aip account db migrate\n"
                 "  # after deleting records by hand:\n"
                 "  AIP_DB=postgresql:///acct aip account db rebuild-rollups\n"});
  add_db(p);
  p.add()("action", po::value<std::string>()->value_name("ACTION"),
          "init, migrate, version or rebuild-rollups");
  p.positional("action", 1);
  refuse_password_in_argv(argc, argv);
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  if (vm->count("action") == 0U)
    usage_error("expected init, migrate, version or rebuild-rollups (try --help)");
  auto action = (*vm)["action"].as<std::string>();
  if (action != "init" && action != "migrate" && action != "version" && action != "rebuild-rollups")
    usage_error("unknown action '" + action +
                "': expected init, migrate, version or rebuild-rollups");
  accounting::Store store(database(*vm));
  if (action == "version") {
    std::cout << store.version() << "\n";
    return 0;
  }
  if (action == "rebuild-rollups") {
    if (store.version() < accounting::Store::latest_version())
      fail(Exit::unavailable, "the schema is at version " + std::to_string(store.version()) +
                                  ": run 'aip account db migrate' first");
    store.rebuild_rollups();
    diag::note("daily roll-ups recomputed");
    return 0;
  }
  int before = store.version();
  int after = store.migrate();
  diag::note(before == after ? "schema is at version " + std::to_string(after) + ", nothing to do"
                             : "schema migrated from version " + std::to_string(before) + " to " +
                                   std::to_string(after));
  return 0;
}

int ingest_cmd(int argc, const char *const argv[]) {
  cli::Parser p({"account", "ingest",
                 "Store usage records in PostgreSQL, each record_id once, all or nothing.",
                 "aip account ingest --db URL [--no-wait] [--skip-invalid] [FILE...]",
                 "  aip account ingest --db postgresql://acct@db/acct usage.jsonl\n"
                 "  aip meter summarize samples.jsonl events.jsonl | AIP_DB=postgresql:///acct aip "
                 "account ingest\n"
                 "  aip account ingest --no-wait usage.jsonl || [ $? -eq 75 ]   # from cron: "
                 "another ingest runs\n"});
  add_db(p);
  p.add()("no-wait", po::bool_switch(),
          "exit 75 at once when another ingest holds the lock, instead of waiting")(
      "skip-invalid", po::bool_switch(),
      "leave bad records out and count them on stderr, instead of exit 65");
  p.add()("input", po::value<std::vector<std::string>>()->value_name("FILE"),
          "input files ('-' or none: stdin)");
  p.positional("input", -1);
  refuse_password_in_argv(argc, argv);
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  accounting::IngestOptions o;
  o.wait = !(*vm)["no-wait"].as<bool>();
  o.skip_invalid = (*vm)["skip-invalid"].as<bool>();
  accounting::Store store(database(*vm));
  auto r = store.ingest(inputs(*vm), o);
  std::cout << "read " << r.read << ", inserted " << r.inserted << ", duplicates " << r.duplicates;
  if (r.skipped) std::cout << ", invalid " << r.skipped;
  std::cout << "\n";
  if (r.skipped)
    diag::warning("left out " + std::to_string(r.skipped) +
                  " invalid records; the first: " + r.first_skipped);
  return 0;
}

int fairshare_cmd(int argc, const char *const argv[]) {
  cli::Parser p(
      {"account", "fairshare",
       "Fair-share factors per user: Slurm's classic 2^(-U/S) and Fair Tree ranks.",
       "aip account fairshare --shares FILE [--half-life D] [--now TIME] [OPTIONS] [FILE... | --db "
       "URL]",
       "  aip account fairshare --shares /etc/aip/shares.conf usage.jsonl\n"
       "  aip account fairshare --shares shares.conf --resource gpu --half-life 14d -f csv "
       "usage.jsonl\n"
       "  AIP_DB=postgresql:///acct aip account fairshare --shares /etc/aip/shares.conf -f jsonl\n"
       "  # shares.conf: one 'account[/sub...]/user SHARES' a line, accounts before their users:\n"
       "  #   physics 40\n  #   physics/alice 1\n  #   biology 60\n  #   biology/carol 1\n"});
  p.add()("shares", po::value<std::string>()->required()->value_name("FILE"),
          "the account/user share tree")(
      "half-life", po::value<std::string>()->default_value("7d")->value_name("D"),
      "usage decay half-life (0: none)")("now", po::value<std::string>()->value_name("TIME"),
                                         "decay to this time (default: now)")(
      "resource", po::value<std::string>()->default_value("cpu")->value_name("R"),
      "usage in cpu (core) or gpu seconds")(
      "skip-invalid", po::bool_switch(),
      "leave bad records out and count them on stderr, instead of exit 65");
  add_db(p);
  p.add()("input", po::value<std::vector<std::string>>()->value_name("FILE"),
          "usage records ('-' or none: stdin)");
  p.positional("input", -1);
  p.add_output();
  p.add_format({"table", "csv", "jsonl", "json"});
  refuse_password_in_argv(argc, argv);
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  accounting::FairshareOptions o;
  o.half_life_s = parse_duration((*vm)["half-life"].as<std::string>());
  o.now = vm->count("now") != 0U ? flag_time((*vm)["now"].as<std::string>())
                                 : static_cast<double>(std::time(nullptr));
  const auto resource = (*vm)["resource"].as<std::string>();
  if (resource != "cpu" && resource != "gpu") usage_error("--resource: expected cpu or gpu");
  o.gpu = resource == "gpu";
  const auto shares_path = (*vm)["shares"].as<std::string>();
  accounting::Fairshare fs(
      accounting::ShareTree::parse(read_file(shares_path), display_name(shares_path)), o);
  std::uint64_t skipped = 0;
  bool db_flag = false;
  for (int i = 1; i < argc; ++i) db_flag = db_flag || std::strncmp(argv[i], "--db", 4) == 0;
  if (db_flag && vm->count("input") != 0U) usage_error("give either --db or input files, not both");
  const bool from_db = vm->count("db") != 0U && (db_flag || vm->count("input") == 0U);
  if (from_db) {
    accounting::Store store(database(*vm));
    store.fairshare_usage(fs, o);
  }
  for (const auto &path : from_db ? std::vector<std::string>{} : inputs(*vm)) {
    auto lines = LineReader::open(path);
    records::Usage u;
    jsonl::for_each_object(*lines, [&](simdjson::dom::object obj, const jsonl::Location &where) {
      try {
        records::decode_usage(obj, where, u);
      } catch (const Error &e) {
        if (!(*vm)["skip-invalid"].as<bool>() || e.status() != Exit::data) throw;
        ++skipped;
        return;
      }
      fs.add(u);
    });
  }
  auto result = fs.finish();
  Output out(vm->count("output") != 0U ? (*vm)["output"].as<std::string>() : "-");
  const auto format = p.format(*vm, out);
  std::vector<records::ReportRow> rows;
  for (const auto &u : result.users) {
    records::ReportRow row;
    row.dimensions = {{"account", u.account}, {"user", u.user}};
    auto finite = [](double v) {
      return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
    };
    row.metrics = {{"raw_shares", u.raw_shares},        {"norm_shares", u.norm_shares},
                   {"usage_hours", u.raw_usage / 3600}, {"norm_usage", u.norm_usage},
                   {"level_fs", finite(u.level_fs)},    {"fairshare_classic", u.classic},
                   {"fairshare_tree", u.fair_tree}};
    rows.push_back(std::move(row));
  }
  if (format == "jsonl") {
    for (const auto &row : rows) out << records::to_json(row).dump() << "\n";
  } else if (format == "json") {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto &row : rows) a.push_back(records::to_json(row));
    out << a.dump(2) << "\n";
  } else {
    const bool csv = format == "csv";
    out << (csv ? "account,user,raw_shares,norm_shares,usage_hours,norm_usage,level_fs,fairshare_"
                  "classic,fairshare_tree\n"
                : "ACCOUNT              USER             SHARES  NORM_SHARES  USAGE_HOURS  "
                  "NORM_USAGE   LEVEL_FS  CLASSIC  FAIR_TREE\n");
    for (const auto &row : rows) {
      char line[512];
      auto m = [&](std::size_t i) { return row.metrics[i].second; };
      if (csv) {
        std::snprintf(line, sizeof line, ",%.10g,%.10g,%.10g,%.10g,%s,%.10g,%.10g\n", *m(0), *m(1),
                      *m(2), *m(3), m(4) ? std::to_string(*m(4)).c_str() : "", *m(5), *m(6));
        std::string head;
        csv::append_field(head, row.dimensions[0].second);
        head += ',';
        csv::append_field(head, row.dimensions[1].second);
        out << head << line;
      } else {
        std::snprintf(
            line, sizeof line, "%-20s %-14s %8.6g %12.6f %12.2f %11.6f %10s %8.6f %10.6f\n",
            row.dimensions[0].second.c_str(), row.dimensions[1].second.c_str(), *m(0), *m(1), *m(2),
            *m(3), m(4) ? std::to_string(*m(4)).c_str() : "inf", *m(5), *m(6));
        out << line;
      }
    }
  }
  out.commit();
  if (result.unassociated)
    diag::note(std::to_string(result.unassociated) +
               " records belong to no user of the share tree (left out)");
  if (skipped) diag::warning("left out " + std::to_string(skipped) + " invalid records");
  return 0;
}

int account_main(int argc, char **argv) {
  const std::string usage =
      "Usage: aip account import --from sacct|swf|apel [OPTIONS] [FILE...]\n"
      "       aip account report [--by DIM,...,PERIOD] [OPTIONS] [FILE... | --db URL]\n"
      "       aip account db init|migrate|version --db URL\n"
      "       aip account ingest --db URL [OPTIONS] [FILE...]\n"
      "       aip account fairshare --shares FILE [OPTIONS] [FILE...]\n\n"
      "Accounting for research platforms: import batch system exports, report CPU and GPU hours "
      "and\n"
      "efficiency by any dimension and period, keep records in PostgreSQL.\n"
      "Run 'aip account COMMAND --help' for a command's options; full documentation: man "
      "aip-account\n";
  return cli::run_subcommands(
      "account", usage,
      "Accounting: import sacct/SWF/APEL, report CPU and GPU hours by any dimension, "
      "PostgreSQL store",
      {{"import", [](int c, const char *const v[]) { return import_cmd(c, v); }},
       {"report", [](int c, const char *const v[]) { return report_cmd(c, v); }},
       {"db", [](int c, const char *const v[]) { return db_cmd(c, v); }},
       {"ingest", [](int c, const char *const v[]) { return ingest_cmd(c, v); }},
       {"fairshare", [](int c, const char *const v[]) { return fairshare_cmd(c, v); }}},
      argc, argv);
}

} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip-account", [&] { return account_main(argc, argv); });
}
