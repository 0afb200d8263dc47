// aip-dispatch: queue jobs, order them by policy, run them on a backend (local processes or
// Slurm), and report what happens as aip.event/v1. Options -> lib/dispatch -> events.
#include <aip/core/cli.hpp>
#include <aip/core/csv.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/io.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/core/paths.hpp>
#include <aip/core/units.hpp>
#include <aip/dispatch/dispatcher.hpp>
#include <aip/dispatch/spec.hpp>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <set>
#include <thread>
#include <unistd.h>

namespace {

using namespace aip;
using namespace aip::dispatch;
namespace po = boost::program_options;

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

template <class T> std::optional<T> opt(const po::variables_map &vm, const char *name) {
  if (vm.count(name) == 0U) return std::nullopt;
  return vm[name].as<T>();
}

void add_state(cli::Parser &p) {
  p.add()("state-dir", po::value<std::string>()->value_name("DIR"),
          "state folder: queue, logs (default $XDG_STATE_HOME/aip)");
}

void add_backend(cli::Parser &p) {
  p.add()(
      "backend,b", po::value<std::string>()->default_value("local")->value_name("B"),
      "local, slurm, slurmrestd, kubernetes, nomad or htcondor (engines: [B] in the config files)")(
      "qos", po::value<std::vector<std::string>>()->composing()->value_name("CLASS=QOS"),
      "slurm: the QOS of a priority class (repeatable), e.g. interactive=high")(
      "kill-grace", po::value<std::string>()->default_value("10s")->value_name("DURATION"),
      "local: after the walltime, SIGTERM then SIGKILL after this long")(
      "limits", po::value<std::vector<std::string>>()->composing()->value_name("FILE"),
      "also read site limits, quotas and [node] from FILE");
}

SiteConfig load_site(const po::variables_map &vm) {
  auto files = cli::default_config_files();
  if (auto extra = opt<std::vector<std::string>>(vm, "limits"))
    for (const auto &f : *extra) {
      if (::access(f.c_str(), R_OK) != 0) fail(Exit::no_input, f + ": cannot read");
      files.push_back(f);
    }
  return SiteConfig::load(files);
}

std::unique_ptr<Backend> backend_from(const po::variables_map &vm, const std::string &state,
                                      const SiteConfig &site) {
  BackendOptions bo;
  bo.state_dir = state;
  bo.runtime = site.node().runtime;
  bo.kill_grace_s = parse_duration(vm["kill-grace"].as<std::string>());
  bo.config_files = cli::default_config_files(); // the engines' sections, and --limits files
  if (auto extra = opt<std::vector<std::string>>(vm, "limits"))
    bo.config_files.insert(bo.config_files.end(), extra->begin(), extra->end());
  if (auto q = opt<std::vector<std::string>>(vm, "qos"))
    for (const auto &item : *q) {
      auto eq = item.find('=');
      if (eq == std::string::npos) usage_error("--qos: expected CLASS=QOS, got '" + item + "'");
      (void)records::parse_priority_class(item.substr(0, eq));
      bo.qos[item.substr(0, eq)] = item.substr(eq + 1);
    }
  return make_backend(vm["backend"].as<std::string>(), bo);
}

std::string state_of(const po::variables_map &vm) {
  std::string s = state_dir(opt<std::string>(vm, "state-dir").value_or(""));
  if (s.empty()) usage_error("no state folder: set --state-dir, AIP_STATE_DIR or HOME");
  return s;
}

// Events to stdout (or -o), one record a line, flushed after each round of the dispatcher
// (one write for all the events of a round, not one per event).
struct EventPrinter {
  Output out;
  jsonl::Writer writer;
  explicit EventPrinter(const std::string &path) : out(path), writer(out) {}
  void operator()(const records::Event &e, bool flush = true) {
    writer.write(records::to_json(e));
    if (flush) writer.flush();
  }
  void flush() { writer.flush(); }
};

int run_dispatcher(Queue &q, Backend &b, const SiteConfig &site, DispatchOptions o) {
  long holder = 0;
  if (!q.try_lock(holder))
    fail(Exit::temp_fail,
         "another dispatcher runs this queue" +
             (holder > 0 ? " (pid " + std::to_string(holder) + ")" : std::string()) + ": " +
             q.state_dir() + "/queue/lock");
  Dispatcher d(q, b, site, std::move(o));
  return d.run();
}

int cmd_run(int argc, const char *const argv[]) {
  cli::Parser p(
      {"dispatch", "run", "Run the queue: start jobs by policy, observe them, report events.",
       "aip dispatch run [--once | --follow | --until-idle] [OPTIONS]",
       "  aip dispatch run --once                    # one round, from cron\n"
       "  aip dispatch run --follow >> events.jsonl   # as a service\n"
       "  aip dispatch run --until-idle --fairshare fs.jsonl   # until every job has ended\n"
       "  aip dispatch run --backend slurm --qos interactive=high --follow\n"});
  p.add()("once", po::bool_switch(), "one round, then exit (default)")("follow", po::bool_switch(),
                                                                       "run until interrupted")(
      "until-idle", po::bool_switch(), "run until the queue is empty and no job runs")(
      "interval", po::value<std::string>()->default_value("1s")->value_name("DURATION"),
      "time between rounds")("grace",
                             po::value<std::string>()->default_value("30s")->value_name("DURATION"),
                             "preemption: SIGTERM, then SIGKILL after this long")(
      "fairshare", po::value<std::string>()->value_name("FILE"),
      "fair-share factors (aip account fairshare output: JSON Lines or CSV)");
  add_state(p);
  add_backend(p);
  p.add_output();
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  int modes = int((*vm)["once"].as<bool>()) + int((*vm)["follow"].as<bool>()) +
              int((*vm)["until-idle"].as<bool>());
  if (modes > 1) usage_error("give one of --once, --follow and --until-idle");
  DispatchOptions o;
  o.mode = (*vm)["follow"].as<bool>()       ? DispatchOptions::Mode::follow
           : (*vm)["until-idle"].as<bool>() ? DispatchOptions::Mode::until_idle
                                            : DispatchOptions::Mode::once;
  o.interval_s = parse_duration((*vm)["interval"].as<std::string>());
  o.grace_s = parse_duration((*vm)["grace"].as<std::string>());
  if (auto f = opt<std::string>(*vm, "fairshare")) o.fairshare = FairShare::load(*f);
  auto site = load_site(*vm);
  std::string state = state_of(*vm);
  Queue q(state);
  auto b = backend_from(*vm, state, site);
  EventPrinter printer(opt<std::string>(*vm, "output").value_or("-"));
  o.on_event = [&](const records::Event &e) { printer(e, false); };
  o.on_round_end = [&] { printer.flush(); };
  int rc = run_dispatcher(q, *b, site, o);
  printer.out.commit();
  return rc;
}

int cmd_submit(int argc, const char *const argv[]) {
  cli::Parser p(
      {"dispatch", "submit",
       "Queue jobs (aip.job/v1 from files or stdin) and submit them to the backend at once.",
       "aip dispatch submit [OPTIONS] [FILE...]",
       "  aip submit -- ./train.sh | aip dispatch submit            # local backend\n"
       "  aip dispatch submit --backend slurm jobs.jsonl\n"
       "  aip dispatch submit --wait jobs.jsonl   # and wait until they have ended\n"});
  p.add()("wait", po::bool_switch(), "keep running until the queue is idle")(
      "files", po::value<std::vector<std::string>>()->value_name("FILE"), "job files");
  p.positional("files", -1);
  add_state(p);
  add_backend(p);
  p.add_output();
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  auto files = opt<std::vector<std::string>>(*vm, "files").value_or(std::vector<std::string>{"-"});
  auto site = load_site(*vm);
  std::string state = state_of(*vm);
  Queue q(state);
  // Every job is read and checked before any is queued: a bad line queues nothing.
  std::vector<records::Job> jobs;
  const double now = now_s();
  const std::string user = current_user();
  for (const auto &f : files) {
    auto lines = LineReader::open(f);
    jsonl::for_each_json(*lines, [&](nlohmann::json &j, const jsonl::Location &at) {
      jobs.push_back(complete_job(j, at.str(), now, user));
    });
  }
  std::vector<records::Job> live;
  for (auto stage : {Stage::queued, Stage::active})
    for (auto &e : q.list(stage)) live.push_back(std::move(e.job));
  for (const auto &j : jobs) {
    if (auto refusal = check_limits(j, site, live)) {
      diag::error("job " + j.id + ": " + refusal->message);
      return static_cast<int>(Exit::finding);
    }
    live.push_back(j);
  }
  auto b = backend_from(*vm, state, site);
  EventPrinter printer(opt<std::string>(*vm, "output").value_or("-"));
  for (const auto &j : jobs) {
    q.enqueue(j, false);
    records::Event ev;
    ev.job_id = j.id;
    ev.backend = b->name();
    ev.state = records::JobState::queued;
    ev.at = now_s();
    q.append_event(ev);
    printer(ev);
  }
  q.sync(); // the whole batch is on disk before anything runs
  DispatchOptions o;
  o.mode =
      (*vm)["wait"].as<bool>() ? DispatchOptions::Mode::until_idle : DispatchOptions::Mode::once;
  o.interval_s = 0.5;
  o.on_event = [&](const records::Event &e) { printer(e, false); };
  o.on_round_end = [&] { printer.flush(); };
  long holder = 0;
  if (!q.try_lock(holder)) {
    diag::note("a dispatcher runs this queue (pid " + std::to_string(holder) +
               "); it will start the jobs");
    printer.out.commit();
    return 0;
  }
  Dispatcher d(q, *b, site, o);
  int rc = d.run();
  printer.out.commit();
  return rc;
}

std::string ts(double t) { return t > 0 ? format_timestamp(t) : ""; }

int cmd_status(int argc, const char *const argv[]) {
  cli::Parser p(
      {"dispatch", "status", "Show queued, running and ended jobs.",
       "aip dispatch status [OPTIONS] [ID...]",
       "  aip dispatch status\n  aip dispatch status j20261202T053100-3f9a1c0d -f json\n"});
  p.add()("ids", po::value<std::vector<std::string>>()->value_name("ID"),
          "jobs")("all", po::bool_switch(), "include ended jobs");
  p.positional("ids", -1);
  add_state(p);
  p.add_output();
  p.add_format({"jsonl", "table", "csv", "json"});
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  Queue q(state_of(*vm));
  std::vector<Entry> entries;
  auto ids = opt<std::vector<std::string>>(*vm, "ids");
  if (ids) {
    for (const auto &id : *ids) {
      auto e = q.find(id);
      if (!e) fail(Exit::no_input, "no job '" + id + "' in " + q.state_dir() + "/queue");
      entries.push_back(*e);
    }
  } else {
    for (auto st : {Stage::active, Stage::queued}) {
      auto l = q.list(st);
      entries.insert(entries.end(), l.begin(), l.end());
    }
    if ((*vm)["all"].as<bool>()) {
      auto l = q.list(Stage::done);
      entries.insert(entries.end(), l.begin(), l.end());
    }
  }
  Output out(opt<std::string>(*vm, "output").value_or("-"));
  const std::string format = p.format(*vm, out);
  const std::vector<std::string> cols{
      "id",         "name",      "user",         "project",    "class",    "state", "backend",
      "backend_id", "exit_code", "submitted_at", "started_at", "ended_at", "reason"};
  std::vector<std::vector<std::string>> rows;
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto &e : entries) {
    const auto &t = e.track;
    std::string state = records::to_string(t.state);
    if (e.stage == Stage::active && !t.stopping.empty()) state += " (stopping)";
    nlohmann::ordered_json j;
    j["id"] = e.job.id;
    j["name"] = e.job.name;
    j["user"] = e.job.owner.user;
    j["project"] = e.job.owner.project;
    j["class"] = records::to_string(e.job.priority_class);
    j["state"] = state;
    j["backend"] = t.backend;
    j["backend_id"] = t.backend_id;
    j["exit_code"] = records::value_or_null(t.exit_code);
    j["submitted_at"] = format_timestamp(e.job.submitted_at);
    j["started_at"] = t.started_at > 0 ? nlohmann::ordered_json(ts(t.started_at))
                                       : nlohmann::ordered_json(nullptr);
    j["ended_at"] = t.ended_at > 0 && e.stage == Stage::done
                        ? nlohmann::ordered_json(ts(t.ended_at))
                        : nlohmann::ordered_json(nullptr);
    j["reason"] = t.reason;
    arr.push_back(j);
    rows.push_back({e.job.id, e.job.name, e.job.owner.user, e.job.owner.project,
                    records::to_string(e.job.priority_class), state, t.backend, t.backend_id,
                    t.exit_code ? std::to_string(*t.exit_code) : "",
                    format_timestamp(e.job.submitted_at), ts(t.started_at),
                    e.stage == Stage::done ? ts(t.ended_at) : "", t.reason});
  }
  if (format == "jsonl") {
    for (const auto &j : arr) out << j.dump() << "\n";
  } else if (format == "json") {
    out << arr.dump(2) << "\n";
  } else if (format == "csv") {
    csv::Writer w(out);
    w.write_row(cols);
    for (const auto &r : rows) w.write_row(r);
  } else {
    const std::vector<std::size_t> shown{0, 4, 5, 6, 7, 8, 10};
    std::vector<std::size_t> width(cols.size(), 0);
    for (auto c : shown) {
      width[c] = cols[c].size();
      for (const auto &r : rows) width[c] = std::max(width[c], r[c].size());
    }
    auto line = [&](const std::vector<std::string> &r) {
      std::string s;
      for (auto c : shown) {
        s += r[c];
        s += std::string(width[c] - r[c].size() + 2, ' ');
      }
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out << s << "\n";
    };
    std::vector<std::string> head;
    for (const auto &c : cols) {
      std::string u = c;
      for (auto &ch : u) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      head.push_back(u);
    }
    line(head);
    for (const auto &r : rows) line(r);
  }
  out.commit();
  return 0;
}

volatile std::sig_atomic_t g_stop = 0;

int cmd_watch(int argc, const char *const argv[]) {
  cli::Parser p({"dispatch", "watch",
                 "Print the queue's events (aip.event/v1) and follow new ones.",
                 "aip dispatch watch [OPTIONS] [ID...]",
                 "  aip dispatch watch                    # every event, then follow\n"
                 "  aip dispatch watch ID1 ID2            # until both jobs have ended\n"
                 "  aip dispatch watch --no-follow | jq -c 'select(.state==\"failed\")'\n"});
  p.add()("ids", po::value<std::vector<std::string>>()->value_name("ID"),
          "only these jobs; exit when all have ended")("no-follow", po::bool_switch(),
                                                       "print what is there and exit");
  p.positional("ids", -1);
  add_state(p);
  p.add_output();
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  Queue q(state_of(*vm));
  auto idv = opt<std::vector<std::string>>(*vm, "ids");
  std::set<std::string> ids, open;
  if (idv) {
    ids.insert(idv->begin(), idv->end());
    for (const auto &id : ids) {
      auto e = q.find(id);
      if (!e) fail(Exit::no_input, "no job '" + id + "' in " + q.state_dir() + "/queue");
      open.insert(id);
    }
  }
  const bool follow = !(*vm)["no-follow"].as<bool>();
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  Output out(opt<std::string>(*vm, "output").value_or("-"));
  int fd = -1;
  std::string pending;
  for (;;) {
    if (fd < 0) fd = ::open(q.events_path().c_str(), O_RDONLY | O_CLOEXEC);
    bool got = false;
    if (fd >= 0) {
      char buf[65536];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        pending.append(buf, static_cast<std::size_t>(n));
        got = true;
      }
    }
    std::size_t start = 0, nl;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      std::string line = pending.substr(start, nl - start);
      start = nl + 1;
      if (!ids.empty()) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("job_id") || !j["job_id"].is_string())
          continue;
        std::string id = j["job_id"];
        if (ids.count(id) == 0U) continue;
        records::JobState st = records::parse_job_state(j.value("state", "queued"));
        if (records::is_final(st))
          open.erase(id);
        else if (st == records::JobState::preempted) {
          auto e = q.find(id); // ends here unless its spec asks to be requeued
          if (e && !e->job.requeue) open.erase(id);
        }
      }
      out << line << "\n";
    }
    pending.erase(0, start);
    out.flush();
    if (!ids.empty() && open.empty()) break;
    if (!follow || g_stop != 0) break;
    if (!got) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (fd >= 0) ::close(fd);
  out.commit();
  return 0;
}

int cmd_cancel(int argc, const char *const argv[]) {
  cli::Parser p(
      {"dispatch", "cancel", "Cancel jobs: queued ones end at once, running ones are stopped.",
       "aip dispatch cancel [OPTIONS] ID...", "  aip dispatch cancel j20261202T053100-3f9a1c0d\n"});
  p.add()("ids", po::value<std::vector<std::string>>()->required()->value_name("ID"), "jobs");
  p.positional("ids", -1);
  add_state(p);
  add_backend(p);
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  auto site = load_site(*vm);
  std::string state = state_of(*vm);
  Queue q(state);
  std::string backend = (*vm)["backend"].as<std::string>();
  int rc = 0;
  bool any_active = false;
  for (const auto &id : (*vm)["ids"].as<std::vector<std::string>>()) {
    auto e = q.find(id);
    if (!e) {
      diag::error("no job '" + id + "' in " + state + "/queue");
      rc = static_cast<int>(Exit::no_input);
      continue;
    }
    if (e->stage == Stage::active && !e->track.backend.empty()) backend = e->track.backend;
    any_active = any_active || e->stage == Stage::active;
  }
  BackendOptions bo;
  bo.state_dir = state;
  auto b = make_backend(backend, bo);
  Dispatcher d(q, *b, site, {});
  for (const auto &id : (*vm)["ids"].as<std::vector<std::string>>()) {
    if (!q.find(id)) continue;
    if (!d.cancel(id)) diag::warning("job " + id + " has already ended");
  }
  long holder = 0;
  if (any_active) {
    if (q.try_lock(holder)) d.process_cancels(); // no dispatcher runs: stop them now
  }
  return rc;
}

int cmd_logs(int argc, const char *const argv[]) {
  cli::Parser p({"dispatch", "logs", "Print a job's standard output (or error).",
                 "aip dispatch logs [OPTIONS] ID",
                 "  aip dispatch logs ID\n  aip dispatch logs --err ID\n"});
  p.add()("id", po::value<std::string>()->required()->value_name("ID"),
          "job")("err", po::bool_switch(), "standard error instead");
  p.positional("id", 1);
  add_state(p);
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  Queue q(state_of(*vm));
  std::string id = (*vm)["id"].as<std::string>();
  if (!q.find(id)) fail(Exit::no_input, "no job '" + id + "' in " + q.state_dir() + "/queue");
  std::string path = q.log_path(id, (*vm)["err"].as<bool>());
  if (::access(path.c_str(), F_OK) != 0) fail(Exit::no_input, "no log yet: " + path);
  Output out("-");
  auto buf = InputBuffer::open(path);
  out << buf.data();
  out.commit();
  return 0;
}

int cmd_render(int argc, const char *const argv[]) {
  cli::Parser p({"dispatch", "render",
                 "Print the native form of jobs (an sbatch script; the local command line) without "
                 "submitting.",
                 "aip dispatch render --backend B [OPTIONS] [FILE...]",
                 "  aip submit --gpus 1 -- python train.py | aip dispatch render --backend slurm\n"
                 "  aip dispatch render -b slurm --qos opportunistic=scavenger jobs.jsonl\n"});
  p.add()("files", po::value<std::vector<std::string>>()->value_name("FILE"),
          "job files (JSON Lines; default stdin)");
  p.positional("files", -1);
  add_state(p);
  add_backend(p);
  p.add_output();
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  auto site = load_site(*vm);
  auto b = backend_from(*vm, state_of(*vm), site);
  Output out(opt<std::string>(*vm, "output").value_or("-"));
  auto files = opt<std::vector<std::string>>(*vm, "files").value_or(std::vector<std::string>{"-"});
  for (const auto &f : files) {
    auto in = InputBuffer::open(f);
    out << render_all(*b, in.data(), in.name());
  }
  out.commit();
  return 0;
}

const char *kUsage = "Usage: aip dispatch COMMAND [OPTIONS]\n"
                     "       aip dispatch [OPTIONS] [FILE...]      (same as submit)\n\n"
                     "Queue jobs, order them by policy and run them on a backend (local, slurm, "
                     "slurmrestd, kubernetes,\n"
                     "nomad or htcondor); report aip.event/v1.\n\n"
                     "Commands:\n"
                     "  submit   queue jobs from files or stdin and submit them\n"
                     "  run      run the queue (--once, --follow, --until-idle)\n"
                     "  status   show jobs\n"
                     "  watch    print and follow events\n"
                     "  cancel   cancel jobs\n"
                     "  logs     print a job's output\n"
                     "  render   print the native form (sbatch script) without submitting\n\n"
                     "Run 'aip dispatch COMMAND --help' for a command's options; full "
                     "documentation: man aip-dispatch\n";

int dispatch_main(int argc, char **argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "--help" || cmd == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << cli::Parser({"dispatch", "", "", "", ""}).version();
    return 0;
  }
  if (cmd == "--describe") {
    std::cout << "Queue jobs by policy and run them locally, on Slurm, Kubernetes/Kueue, Nomad or "
                 "HTCondor\n";
    return 0;
  }
  const char *const *sub = argv + 1;
  int subc = argc - 1;
  if (cmd == "run") return cmd_run(subc, sub);
  if (cmd == "submit") return cmd_submit(subc, sub);
  if (cmd == "status") return cmd_status(subc, sub);
  if (cmd == "watch") return cmd_watch(subc, sub);
  if (cmd == "cancel") return cmd_cancel(subc, sub);
  if (cmd == "logs") return cmd_logs(subc, sub);
  if (cmd == "render") return cmd_render(subc, sub);
  if (cmd.empty() || cmd[0] == '-' || cmd.find('/') != std::string::npos ||
      cmd.find('.') != std::string::npos) {
    // `aip submit ... | aip dispatch --backend slurm`: submit is the default command.
    std::vector<const char *> args{"submit"};
    for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
    return cmd_submit(static_cast<int>(args.size()), args.data());
  }
  std::cerr << kUsage;
  usage_error("unknown command '" + cmd + "'");
}

} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip-dispatch", [&] { return dispatch_main(argc, argv); });
}
