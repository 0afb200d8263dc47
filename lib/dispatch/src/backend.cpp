#include "aip/dispatch/backend.hpp"

#include "aip/dispatch/htcondor.hpp"
#include "aip/dispatch/kubernetes.hpp"
#include "aip/dispatch/local.hpp"
#include "aip/dispatch/nomad.hpp"
#include "aip/dispatch/slurm.hpp"
#include "aip/dispatch/slurmrestd.hpp"

#include "aip/dispatch/spec.hpp"

#include <aip/core/error.hpp>

#include <tbb/parallel_for.h>

#include <mutex>

namespace aip::dispatch {

std::string render_all(const Backend &backend, std::string_view text, const std::string &name) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    lines.push_back(
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    start = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  const std::size_t block = 256;
  const std::size_t blocks = (lines.size() + block - 1) / block;
  std::vector<std::string> out(blocks);
  std::mutex m;
  std::size_t first_bad = SIZE_MAX;
  std::string first_error;
  Exit first_status = Exit::data;
  tbb::parallel_for(std::size_t(0), blocks, [&](std::size_t b) {
    std::string &o = out[b];
    for (std::size_t i = b * block; i < std::min(lines.size(), (b + 1) * block); ++i) {
      std::string_view line = lines[i];
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      const std::string where = name + ":" + std::to_string(i + 1);
      try {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) data_error(where + ": not a JSON object");
        auto job = records::job_from_json(j, where);
        check_job(job, where);
        o += backend.render(job);
      } catch (const Error &e) {
        std::lock_guard<std::mutex> lock(m);
        if (i < first_bad) {
          first_bad = i;
          first_error = e.what();
          first_status = e.status();
        }
        return;
      }
    }
  });
  if (first_bad != SIZE_MAX) throw Error(first_status, first_error);
  std::string all;
  std::size_t total = 0;
  for (const auto &o : out) total += o.size();
  all.reserve(total);
  for (const auto &o : out) all += o;
  return all;
}

std::unique_ptr<Backend> make_backend(const std::string &name, const BackendOptions &options) {
  if (name == "local") return make_local_backend(options);
  if (name == "slurm") return make_slurm_backend(options);
  if (name == "kubernetes") return make_kubernetes_backend(options);
  if (name == "nomad") return make_nomad_backend(options);
  if (name == "htcondor") return make_htcondor_backend(options);
  if (name == "slurmrestd") return make_slurmrestd_backend(options);
  usage_error("unknown backend '" + name +
              "': expected local, slurm, slurmrestd, kubernetes, nomad or htcondor");
}

} // namespace aip::dispatch
