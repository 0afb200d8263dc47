// aip-submit: build and check a job (aip.job/v1) from flags, a job file or the current
// session; print it, or put it in the queue. Options -> lib/dispatch -> a record.
#include <aip/core/cli.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/io.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/core/paths.hpp>
#include <aip/core/units.hpp>
#include <aip/dispatch/queue.hpp>
#include <aip/dispatch/site.hpp>
#include <aip/dispatch/spec.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <unistd.h>

extern char **environ;

namespace {

using namespace aip;
namespace po = boost::program_options;

template <class T> std::optional<T> opt(const po::variables_map &vm, const char *name) {
  if (vm.count(name) == 0U) return std::nullopt;
  return vm[name].as<T>();
}

std::pair<std::string, std::string> key_value(const std::string &text, const std::string &what) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    usage_error(what + ": expected NAME=VALUE, got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

int submit_main(int argc, char **argv) {
  cli::Parser p(
      {"submit", "",
       "Build a job from flags, a job file or the session; check it against site limits and quotas",
       "aip submit [OPTIONS] [--] COMMAND [ARG...]\naip submit --file JOB.json [OPTIONS]\naip "
       "submit --from-session [OPTIONS] -- COMMAND [ARG...]",
       "  aip submit --gpus 1 --cpus 4 --mem 16G --time 6h -- python train.py   # print the job\n"
       "  aip submit --image ai4oshub/yolo --gpus 1 -- python train.py | aip dispatch --backend "
       "slurm\n"
       "  aip submit --file job.json --enqueue                # into the local queue; prints the "
       "id\n"
       "  aip submit --from-session --time 2h -- python eval.py   # this folder, conda env and "
       "container\n"
       "  aip submit --priority-class opportunistic --requeue -- ./sweep.sh --seed 3\n"});
  p.add()("name", po::value<std::string>()->value_name("NAME"),
          "job name")("image", po::value<std::string>()->value_name("IMAGE"), "container image")(
      "cpus", po::value<double>()->value_name("N"), "CPU cores (fractions allowed; default 1)")(
      "mem", po::value<std::string>()->value_name("SIZE"),
      "memory, e.g. 16G (default 0: the backend's default)")(
      "gpus", po::value<unsigned>()->value_name("N"), "whole GPUs")(
      "gpu-model", po::value<std::string>()->value_name("MODEL"), "GPU model, e.g. A100")(
      "mig", po::value<std::string>()->value_name("PROFILE"), "NVIDIA MIG profile, e.g. 1g.10gb")(
      "disk", po::value<std::string>()->value_name("SIZE"),
      "scratch disk, e.g. 100G")("time", po::value<std::string>()->value_name("DURATION"),
                                 "walltime, e.g. 6h, 2h30m, 1-00:00:00 (default 1h)")(
      "queue", po::value<std::string>()->value_name("QUEUE"),
      "queue or partition")("priority-class", po::value<std::string>()->value_name("CLASS"),
                            "interactive, batch (default) or opportunistic")(
      "requeue", po::bool_switch(), "when preempted, go back to the queue instead of ending")(
      "project", po::value<std::string>()->value_name("PROJECT"),
      "project charged (Slurm account)")("vo", po::value<std::string>()->value_name("VO"),
                                         "virtual organisation")(
      "site", po::value<std::string>()->value_name("SITE"), "site the job is meant for")(
      "env", po::value<std::vector<std::string>>()->composing()->value_name("K=V"),
      "environment variable (repeatable)")(
      "env-file", po::value<std::vector<std::string>>()->composing()->value_name("FILE"),
      "K=V lines ('#' comments)")(
      "mount", po::value<std::vector<std::string>>()->composing()->value_name("SRC:DST[:ro]"),
      "mount a volume (repeatable)")(
      "label", po::value<std::vector<std::string>>()->composing()->value_name("K=V"),
      "label (repeatable)")("workdir", po::value<std::string>()->value_name("DIR"),
                            "working folder (absolute)")(
      "file", po::value<std::string>()->value_name("JOB.json"),
      "start from this job object (fields of aip.job/v1; '-': stdin)")(
      "from-session", po::bool_switch(),
      "start from this session: folder, kept variables, container image, conda env")(
      "keep-env", po::value<std::vector<std::string>>()->composing()->value_name("NAMES"),
      "--from-session: variables to keep (NAME or PREFIX*, comma-separated; default PATH, LANG, "
      "LC_*, TZ, PYTHONPATH, "
      "VIRTUAL_ENV, CONDA_*, HF_HOME, TORCH_HOME, OMP_NUM_THREADS)")(
      "enqueue", po::bool_switch(),
      "put the job in the queue (see aip-dispatch(1)) and print its id")(
      "state-dir", po::value<std::string>()->value_name("DIR"),
      "state folder (default $XDG_STATE_HOME/aip)")(
      "limits", po::value<std::vector<std::string>>()->composing()->value_name("FILE"),
      "also read site limits from FILE (after the configuration files)")(
      "command", po::value<std::vector<std::string>>(), "command");
  p.positional("command", -1);
  p.add_output();
  auto vmo = p.parse(argc, argv);
  if (!vmo) return 0;
  const auto &vm = *vmo;
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

  nlohmann::json spec = nlohmann::json::object();
  std::string where = "job";
  if (auto f = opt<std::string>(vm, "file")) {
    spec = dispatch::read_job_file(*f);
    where = display_name(*f);
  }
  if (vm["from-session"].as<bool>()) {
    std::vector<std::string> env;
    for (char **e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
    std::vector<std::string> keep = dispatch::default_session_keep();
    if (auto k = opt<std::vector<std::string>>(vm, "keep-env")) {
      keep.clear();
      for (const auto &item : *k) {
        std::size_t start = 0;
        while (start <= item.size()) {
          auto c = item.find(',', start);
          std::string n =
              item.substr(start, c == std::string::npos ? std::string::npos : c - start);
          if (!n.empty()) keep.push_back(n);
          if (c == std::string::npos) break;
          start = c + 1;
        }
      }
    }
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) fail(Exit::io, "cannot read the working folder");
    auto session = dispatch::session_spec(env, keep, cwd);
    for (auto &[k, v] : session.items()) {
      if (k == "env" || k == "labels") {
        for (auto &[ek, ev] : v.items())
          if (!spec[k].contains(ek)) spec[k][ek] = ev;
      } else if (!spec.contains(k)) {
        spec[k] = v;
      }
    }
  }
  auto set = [&](const char *flag, const char *field) {
    if (auto v = opt<std::string>(vm, flag)) spec[field] = *v;
  };
  set("name", "name");
  set("image", "image");
  set("queue", "queue");
  set("site", "site");
  set("workdir", "workdir");
  if (auto v = opt<std::string>(vm, "priority-class")) {
    try {
      (void)records::parse_priority_class(*v);
    } catch (const Error &e) {
      usage_error(std::string("--priority-class: ") + e.what());
    }
    spec["priority_class"] = *v;
  }
  if (auto v = opt<std::string>(vm, "project")) spec["owner"]["project"] = *v;
  if (auto v = opt<std::string>(vm, "vo")) spec["owner"]["vo"] = *v;
  if (auto v = opt<double>(vm, "cpus")) spec["resources"]["cpus"] = *v;
  if (auto v = opt<std::string>(vm, "mem")) spec["resources"]["memory_bytes"] = parse_size(*v);
  if (auto v = opt<unsigned>(vm, "gpus")) spec["resources"]["gpus"] = *v;
  if (auto v = opt<std::string>(vm, "gpu-model")) spec["resources"]["gpu_model"] = *v;
  if (auto v = opt<std::string>(vm, "mig")) spec["resources"]["mig_profile"] = *v;
  if (auto v = opt<std::string>(vm, "disk")) spec["resources"]["disk_bytes"] = parse_size(*v);
  if (auto v = opt<std::string>(vm, "time")) {
    double s = parse_duration(*v);
    if (s < 1) usage_error("--time: at least 1 second");
    spec["walltime_s"] = static_cast<std::int64_t>(std::ceil(s));
  }
  if (vm["requeue"].as<bool>()) spec["requeue"] = true;
  if (auto files = opt<std::vector<std::string>>(vm, "env-file"))
    for (const auto &f : *files) {
      std::ifstream in(f);
      if (!in) fail(Exit::no_input, f + ": cannot open");
      std::string line;
      int n = 0;
      while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        auto eq = line.find('=');
        if (eq == std::string::npos || eq == 0)
          data_error(f + ":" + std::to_string(n) + ": expected NAME=VALUE");
        spec["env"][line.substr(0, eq)] = line.substr(eq + 1);
      }
    }
  if (auto envs = opt<std::vector<std::string>>(vm, "env"))
    for (const auto &e : *envs) {
      auto [k, v] = key_value(e, "--env");
      spec["env"][k] = v;
    }
  if (auto labels = opt<std::vector<std::string>>(vm, "label"))
    for (const auto &l : *labels) {
      auto [k, v] = key_value(l, "--label");
      spec["labels"][k] = v;
    }
  if (auto mounts = opt<std::vector<std::string>>(vm, "mount"))
    for (const auto &m : *mounts) {
      auto c1 = m.find(':');
      if (c1 == std::string::npos || c1 == 0)
        usage_error("--mount: expected SRC:DST[:ro], got '" + m + "'");
      std::string dst = m.substr(c1 + 1);
      bool ro = false;
      if (dst.size() > 3 && dst.compare(dst.size() - 3, 3, ":ro") == 0) {
        ro = true;
        dst.resize(dst.size() - 3);
      }
      if (dst.empty()) usage_error("--mount: expected SRC:DST[:ro], got '" + m + "'");
      spec["mounts"].push_back({{"source", m.substr(0, c1)}, {"target", dst}, {"read_only", ro}});
    }
  if (auto cmd = opt<std::vector<std::string>>(vm, "command")) spec["command"] = *cmd;

  const std::string me = dispatch::current_user();
  // Quotas count per user: only root may submit in another user's name.
  if (spec.contains("owner") && spec["owner"].is_object() && spec["owner"].contains("user") &&
      spec["owner"]["user"].is_string() && spec["owner"]["user"].get<std::string>() != me &&
      ::geteuid() != 0)
    data_error(where + ": field 'owner.user': '" + spec["owner"]["user"].get<std::string>() +
               "' is not you (" + me + ")");
  records::Job job = dispatch::complete_job(spec, where, now, me);

  auto files = cli::default_config_files();
  if (auto extra = opt<std::vector<std::string>>(vm, "limits"))
    for (const auto &f : *extra) {
      if (::access(f.c_str(), R_OK) != 0) fail(Exit::no_input, f + ": cannot read");
      files.push_back(f);
    }
  auto site = dispatch::SiteConfig::load(files);
  const std::string state = state_dir(opt<std::string>(vm, "state-dir").value_or(""));
  std::vector<records::Job> live;
  if (::access((state + "/queue").c_str(), F_OK) == 0) {
    dispatch::Queue q(state);
    for (auto stage : {dispatch::Stage::queued, dispatch::Stage::active})
      for (auto &e : q.list(stage)) live.push_back(std::move(e.job));
  }
  if (auto refusal = dispatch::check_limits(job, site, live)) {
    diag::error(refusal->message);
    return static_cast<int>(Exit::finding);
  }
  Output out(opt<std::string>(vm, "output").value_or("-"));
  if (vm["enqueue"].as<bool>()) {
    dispatch::Queue q(state);
    q.enqueue(job);
    records::Event ev;
    ev.job_id = job.id;
    ev.backend = "queue";
    ev.state = records::JobState::queued;
    ev.at = now;
    q.append_event(ev);
    out << job.id << "\n";
  } else {
    jsonl::Writer w(out);
    w.write(records::to_json(job));
  }
  out.commit();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip-submit", [&] { return submit_main(argc, argv); });
}
