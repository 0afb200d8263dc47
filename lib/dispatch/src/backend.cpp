#include "aip/dispatch/backend.hpp"

#include "aip/dispatch/local.hpp"
#include "aip/dispatch/slurm.hpp"

#include <aip/core/error.hpp>

namespace aip::dispatch {

std::unique_ptr<Backend> make_backend(const std::string &name, const BackendOptions &options) {
  if (name == "local") return make_local_backend(options);
  if (name == "slurm") return make_slurm_backend(options);
  usage_error("unknown backend '" + name + "': expected local or slurm");
}

} // namespace aip::dispatch
