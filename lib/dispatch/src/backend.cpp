#include "aip/dispatch/backend.hpp"

#include "aip/dispatch/htcondor.hpp"
#include "aip/dispatch/kubernetes.hpp"
#include "aip/dispatch/local.hpp"
#include "aip/dispatch/nomad.hpp"
#include "aip/dispatch/slurmrestd.hpp"
#include "aip/dispatch/slurm.hpp"

#include <aip/core/error.hpp>

namespace aip::dispatch {

std::unique_ptr<Backend> make_backend(const std::string &name, const BackendOptions &options) {
  if (name == "local") return make_local_backend(options);
  if (name == "slurm") return make_slurm_backend(options);
  if (name == "kubernetes") return make_kubernetes_backend(options);
  if (name == "nomad") return make_nomad_backend(options);
  if (name == "htcondor") return make_htcondor_backend(options);
  if (name == "slurmrestd") return make_slurmrestd_backend(options);
  usage_error("unknown backend '" + name + "': expected local, slurm, slurmrestd, kubernetes, nomad or htcondor");
}

} // namespace aip::dispatch
