#include "aip/metering/gpu.hpp"

namespace aip::metering {

std::vector<std::string> allocated_gpus(std::string_view env) {
  std::string_view slurm, nvidia, cuda;
  bool have_slurm = false, have_nvidia = false, have_cuda = false;
  std::size_t pos = 0;
  while (pos < env.size()) {
    auto end = env.find('\0', pos);
    auto var = env.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    auto take = [&](std::string_view name, std::string_view &value, bool &have) {
      if (var.size() > name.size() && var.substr(0, name.size()) == name && var[name.size()] == '=')
        value = var.substr(name.size() + 1), have = true;
    };
    take("SLURM_JOB_GPUS", slurm, have_slurm);
    take("NVIDIA_VISIBLE_DEVICES", nvidia, have_nvidia);
    take("CUDA_VISIBLE_DEVICES", cuda, have_cuda);
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  std::string_view list = have_slurm ? slurm : have_nvidia ? nvidia : cuda;
  if (!have_slurm && have_nvidia &&
      (nvidia == "all" || nvidia == "none" || nvidia == "void" || nvidia.empty()))
    list = have_cuda ? cuda : std::string_view();
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    // CUDA stops at the first invalid entry ("-1" hides every GPU after it).
    if (item.empty() || item.front() == '-') break;
    out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

} // namespace aip::metering
