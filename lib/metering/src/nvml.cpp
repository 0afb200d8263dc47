// NVML, loaded at run time. The few entry points used are declared here from NVIDIA's
// documented signatures (NVML API Reference, nvml.h): every function returns nvmlReturn_t
// (0 = NVML_SUCCESS) and takes an opaque device handle. Nothing from nvml.h is included, so
// the build needs no CUDA; a node without the driver simply has no GPU fields.
#include "aip/metering/gpu.hpp"

#include <dlfcn.h>

#include <cstring>

namespace aip::metering {
namespace {

using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st *;
constexpr nvmlReturn_t NVML_SUCCESS = 0;
constexpr nvmlReturn_t NVML_ERROR_INSUFFICIENT_SIZE = 7;
constexpr unsigned NVML_DEVICE_MIG_ENABLE = 1;
constexpr unsigned long long NVML_VALUE_NOT_AVAILABLE = ~0ULL;
constexpr unsigned kUuidSize = 96,
                   kNameSize = 96; // NVML_DEVICE_UUID_V2_BUFFER_SIZE, ..._NAME_V2_...

struct nvmlUtilization_t {
  unsigned int gpu, memory;
};
struct nvmlMemory_t {
  unsigned long long total, free, used;
};
// nvmlProcessInfo_t as taken by nvmlDeviceGetComputeRunningProcesses_v2 and _v3.
struct nvmlProcessInfo_t {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId, computeInstanceId;
};

struct Api {
  void *lib = nullptr;
  nvmlReturn_t (*Init)() = nullptr;                                         // nvmlInit_v2
  nvmlReturn_t (*Shutdown)() = nullptr;                                     // nvmlShutdown
  const char *(*ErrorString)(nvmlReturn_t) = nullptr;                       // nvmlErrorString
  nvmlReturn_t (*GetCount)(unsigned int *) = nullptr;                       // nvmlDeviceGetCount_v2
  nvmlReturn_t (*GetHandleByIndex)(unsigned int, nvmlDevice_t *) = nullptr; // ..._v2
  nvmlReturn_t (*GetUUID)(nvmlDevice_t, char *, unsigned int) = nullptr;
  nvmlReturn_t (*GetName)(nvmlDevice_t, char *, unsigned int) = nullptr;
  nvmlReturn_t (*GetUtilizationRates)(nvmlDevice_t, nvmlUtilization_t *) = nullptr;
  nvmlReturn_t (*GetMemoryInfo)(nvmlDevice_t, nvmlMemory_t *) = nullptr;
  nvmlReturn_t (*GetPowerUsage)(nvmlDevice_t, unsigned int *) = nullptr; // milliwatts
  nvmlReturn_t (*GetComputeRunningProcesses)(nvmlDevice_t, unsigned int *,
                                             nvmlProcessInfo_t *) = nullptr;
  nvmlReturn_t (*GetMigMode)(nvmlDevice_t, unsigned int *, unsigned int *) = nullptr;
  nvmlReturn_t (*GetMaxMigDeviceCount)(nvmlDevice_t, unsigned int *) = nullptr;
  nvmlReturn_t (*GetMigDeviceHandleByIndex)(nvmlDevice_t, unsigned int, nvmlDevice_t *) = nullptr;
};

template <class F> bool load(void *lib, const char *name, F &f) {
  f = reinterpret_cast<F>(::dlsym(lib, name));
  return f != nullptr;
}

class NvmlSource : public GpuSource {
public:
  explicit NvmlSource(Api api) : api_(api) {}
  ~NvmlSource() override {
    api_.Shutdown();
    ::dlclose(api_.lib);
  }
  std::string name() const override { return "nvml"; }

  GpuSnapshot read() override {
    GpuSnapshot s;
    unsigned int count = 0;
    if (api_.GetCount(&count) != NVML_SUCCESS) return s;
    for (unsigned int i = 0; i < count; ++i) {
      nvmlDevice_t dev = nullptr;
      if (api_.GetHandleByIndex(i, &dev) != NVML_SUCCESS) continue;
      GpuDevice d = describe(dev, static_cast<int>(i));
      const std::string parent = d.uuid;
      s.devices.push_back(d);
      // MIG: the parent reports no utilisation; each MIG device has its own memory and
      // processes (utilisation per MIG device is not in NVML's device queries). The
      // parent's process list would repeat its MIG devices' processes, so it is asked only
      // when MIG is off.
      unsigned int current = 0, pending = 0, max = 0;
      const bool mig_on = api_.GetMigMode != nullptr &&
                          api_.GetMigMode(dev, &current, &pending) == NVML_SUCCESS &&
                          current == NVML_DEVICE_MIG_ENABLE;
      if (!mig_on) processes(dev, parent, s.processes);
      if (mig_on && api_.GetMaxMigDeviceCount(dev, &max) == NVML_SUCCESS) {
        for (unsigned int m = 0; m < max; ++m) {
          nvmlDevice_t mig_dev = nullptr;
          if (api_.GetMigDeviceHandleByIndex(dev, m, &mig_dev) != NVML_SUCCESS)
            continue; // slot unused
          GpuDevice md = describe(mig_dev, static_cast<int>(i));
          md.parent_uuid = parent;
          md.power_w.reset(); // power is the parent's
          processes(mig_dev, md.uuid, s.processes);
          s.devices.push_back(md);
        }
      }
    }
    return s;
  }

private:
  GpuDevice describe(nvmlDevice_t dev, int index) {
    GpuDevice d;
    d.index = index;
    char buf[kUuidSize > kNameSize ? kUuidSize : kNameSize] = {};
    if (api_.GetUUID(dev, buf, kUuidSize) == NVML_SUCCESS) d.uuid = buf;
    std::memset(buf, 0, sizeof buf);
    if (api_.GetName(dev, buf, kNameSize) == NVML_SUCCESS) d.name = buf;
    nvmlUtilization_t u{};
    if (api_.GetUtilizationRates(dev, &u) == NVML_SUCCESS) d.util_pct = u.gpu;
    nvmlMemory_t mem{};
    if (api_.GetMemoryInfo(dev, &mem) == NVML_SUCCESS)
      d.mem_used_bytes = mem.used, d.mem_total_bytes = mem.total;
    unsigned int mw = 0;
    if (api_.GetPowerUsage(dev, &mw) == NVML_SUCCESS) d.power_w = mw / 1000.0;
    return d;
  }

  void processes(nvmlDevice_t dev, const std::string &uuid, std::vector<GpuProcess> &out) {
    // Ask with room for 64; if the driver says more are running, ask again with its count.
    std::vector<nvmlProcessInfo_t> infos(64);
    unsigned int n = static_cast<unsigned int>(infos.size());
    nvmlReturn_t r = api_.GetComputeRunningProcesses(dev, &n, infos.data());
    if (r == NVML_ERROR_INSUFFICIENT_SIZE) {
      infos.resize(n + 16);
      n = static_cast<unsigned int>(infos.size());
      r = api_.GetComputeRunningProcesses(dev, &n, infos.data());
    }
    if (r != NVML_SUCCESS) return;
    for (unsigned int k = 0; k < n && k < infos.size(); ++k) {
      GpuProcess p;
      p.pid = static_cast<int>(infos[k].pid);
      p.gpu_uuid = uuid;
      if (infos[k].usedGpuMemory != NVML_VALUE_NOT_AVAILABLE) p.used_bytes = infos[k].usedGpuMemory;
      out.push_back(p);
    }
  }

  Api api_;
};

} // namespace

std::unique_ptr<GpuSource> make_nvml_source(std::string &why) {
  Api a;
  a.lib = ::dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (a.lib == nullptr) {
    why = "libnvidia-ml.so.1 cannot be loaded";
    return nullptr;
  }
  // _v3 of the process query exists from driver 510 (CUDA 11.6); _v2 before. Both take the
  // four-field nvmlProcessInfo_t.
  bool ok = load(a.lib, "nvmlInit_v2", a.Init) && load(a.lib, "nvmlShutdown", a.Shutdown) &&
            load(a.lib, "nvmlErrorString", a.ErrorString) &&
            load(a.lib, "nvmlDeviceGetCount_v2", a.GetCount) &&
            load(a.lib, "nvmlDeviceGetHandleByIndex_v2", a.GetHandleByIndex) &&
            load(a.lib, "nvmlDeviceGetUUID", a.GetUUID) &&
            load(a.lib, "nvmlDeviceGetName", a.GetName) &&
            load(a.lib, "nvmlDeviceGetUtilizationRates", a.GetUtilizationRates) &&
            load(a.lib, "nvmlDeviceGetMemoryInfo", a.GetMemoryInfo) &&
            load(a.lib, "nvmlDeviceGetPowerUsage", a.GetPowerUsage) &&
            (load(a.lib, "nvmlDeviceGetComputeRunningProcesses_v3", a.GetComputeRunningProcesses) ||
             load(a.lib, "nvmlDeviceGetComputeRunningProcesses_v2", a.GetComputeRunningProcesses));
  if (!ok) {
    why = "libnvidia-ml.so.1 lacks an entry point aip needs (driver older than R450?)";
    ::dlclose(a.lib);
    return nullptr;
  }
  // MIG queries are optional (pre-Ampere drivers may lack them).
  if (!(load(a.lib, "nvmlDeviceGetMigMode", a.GetMigMode) &&
        load(a.lib, "nvmlDeviceGetMaxMigDeviceCount", a.GetMaxMigDeviceCount) &&
        load(a.lib, "nvmlDeviceGetMigDeviceHandleByIndex", a.GetMigDeviceHandleByIndex)))
    a.GetMigMode = nullptr;
  if (nvmlReturn_t r = a.Init(); r != NVML_SUCCESS) {
    why = std::string("nvmlInit failed: ") + a.ErrorString(r);
    ::dlclose(a.lib);
    return nullptr;
  }
  return std::make_unique<NvmlSource>(a);
}

} // namespace aip::metering
