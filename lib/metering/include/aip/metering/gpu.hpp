// GPU sources: NVML loaded at run time with dlopen("libnvidia-ml.so.1") (no build
// dependency), else `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`, else none.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::metering {

struct GpuDevice {
  int index = 0;           // MIG devices carry their parent's index
  std::string uuid, name;  // "GPU-..." or, for a MIG device, "MIG-..."
  std::string parent_uuid; // MIG devices only
  std::optional<double> util_pct;
  std::optional<std::uint64_t> mem_used_bytes, mem_total_bytes;
  std::optional<double> power_w;
};

struct GpuProcess {
  int pid = 0;
  std::string gpu_uuid;
  std::optional<std::uint64_t> used_bytes;
};

struct GpuSnapshot {
  std::vector<GpuDevice> devices;
  std::vector<GpuProcess> processes;
};

class GpuSource {
public:
  virtual ~GpuSource() = default;
  virtual GpuSnapshot read() = 0;
  virtual std::string name() const = 0;
};

// The GPUs a job was given, from its environment (NUL-separated NAME=value, as in
// /proc/PID/environ): SLURM_JOB_GPUS (host indices; Slurm renumbers CUDA_VISIBLE_DEVICES
// from 0 inside a job whose devices are constrained), else NVIDIA_VISIBLE_DEVICES (the
// container toolkit, as Kubernetes' device plugin sets it: UUIDs or indices; "all", "none"
// and "void" name no particular GPU), else CUDA_VISIBLE_DEVICES (indices, GPU-/MIG-
// UUIDs). Entries are returned as given: "2", "GPU-...", "MIG-...". A job that holds a GPU
// without running on it is how idle allocations show up.
std::vector<std::string> allocated_gpus(std::string_view environ);

// ---- nvidia-smi's CSV (noheader, nounits). Each parser throws aip::Error (65) naming the
// query, the line and the field, and quoting the line.
inline constexpr const char *kSmiGpuQuery =
    "index,uuid,name,utilization.gpu,memory.used,memory.total,power.draw,mig.mode.current";
inline constexpr const char *kSmiAppsQuery = "pid,gpu_uuid,used_memory";
// Rows in kSmiGpuQuery's order; "[N/A]", "[Not Supported]" and the like become unknown.
std::vector<GpuDevice> parse_smi_gpus(std::string_view csv);
// Rows in kSmiAppsQuery's order; gpu_uuid may name a MIG device ("MIG-...").
std::vector<GpuProcess> parse_smi_apps(std::string_view csv);

// Runs `nvidia-smi` (a path, or a name looked up on PATH) twice per read, without a shell.
std::unique_ptr<GpuSource> make_smi_source(const std::string &program);

// NVML through dlopen. Returns nothing and says why in `why` when the library is absent or
// nvmlInit fails.
std::unique_ptr<GpuSource> make_nvml_source(std::string &why);

// --gpu auto|nvml|nvidia-smi|none. auto tries NVML, then nvidia-smi on PATH; when neither
// works it gives nothing and one note saying so (samples then carry no GPU fields).
std::unique_ptr<GpuSource> open_gpu_source(const std::string &mode, const std::string &smi_program);

} // namespace aip::metering
