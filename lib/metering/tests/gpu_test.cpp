// GPU sources where no GPU is: nvidia-smi's CSV from fixture files in its line formats
// (tests/meter/nvidia-smi: leading spaces, [N/A], a MIG-enabled GPU and a MIG process row),
// the real process protocol through a stand-in nvidia-smi script, and the path without NVML.
#include <aip/core/error.hpp>
#include <aip/metering/gpu.hpp>
#include <aip/metering/sampler.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace aip;
using namespace aip::metering;

namespace {
const std::string kDir = std::string(AIP_SOURCE_DIR) + "/tests/meter/nvidia-smi";
std::string slurp(const std::string &p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
} // namespace

TEST(NvidiaSmi, GpuRows) {
  auto d = parse_smi_gpus(slurp(kDir + "/gpus.csv"));
  ASSERT_EQ(d.size(), 3U);
  EXPECT_EQ(d[0].index, 0);
  EXPECT_EQ(d[0].uuid, "GPU-5a9e3d2c-7b1f-4e8a-9c3d-2f1e0a9b8c7d");
  EXPECT_EQ(d[0].name, "NVIDIA A100-SXM4-80GB");
  EXPECT_EQ(d[0].util_pct, 87.0);
  EXPECT_EQ(d[0].mem_used_bytes, 40536ULL * 1048576); // MiB with nounits
  EXPECT_EQ(d[0].mem_total_bytes, 81920ULL * 1048576);
  EXPECT_DOUBLE_EQ(*d[0].power_w, 312.45);
  EXPECT_FALSE(d[1].util_pct); // MIG enabled: [N/A]
  EXPECT_FALSE(d[2].power_w);  // [N/A]
  EXPECT_EQ(d[2].name, "Tesla T4");
}

TEST(NvidiaSmi, AppRows) {
  auto p = parse_smi_apps(slurp(kDir + "/apps.csv"));
  ASSERT_EQ(p.size(), 4U);
  EXPECT_EQ(p[0].pid, 5001);
  EXPECT_EQ(p[0].used_bytes, 40000ULL * 1048576);
  EXPECT_EQ(p[1].gpu_uuid, "MIG-1d2c3b4a-5e6f-5a7b-8c9d-0e1f2a3b4c5d");
  EXPECT_FALSE(p[2].used_bytes);           // [N/A]
  EXPECT_TRUE(parse_smi_apps("").empty()); // no process on any GPU
}

TEST(NvidiaSmi, MalformedLinesAreReportedWithTheLine) {
  try {
    parse_smi_gpus("0, GPU-a, T4, 1, 2, 3, 4, Disabled\n1, GPU-b, T4, lots, 2, 3, 4, Disabled\n");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::data);
    EXPECT_STREQ(
        e.what(),
        "nvidia-smi --query-gpu output, line 2: field 'utilization.gpu': expected a non-negative "
        "number in '1, GPU-b, T4, lots, 2, 3, 4, Disabled'");
  }
  try {
    parse_smi_apps("12, GPU-a\n");
    FAIL();
  } catch (const Error &e) {
    EXPECT_STREQ(
        e.what(),
        "nvidia-smi --query-compute-apps output, line 1: expected 3 fields, got 2 in '12, GPU-a'");
  }
  EXPECT_THROW(parse_smi_gpus("0, GPU-a, T4, 101, 2, 3, 4, Disabled\n"), Error); // above 100 %
  EXPECT_THROW(parse_smi_apps("0, GPU-a, 5\n"), Error);                          // pid 0
  EXPECT_THROW(parse_smi_apps("-3, GPU-a, 5\n"), Error);
}

TEST(NvidiaSmi, StandInProgramThroughTheRealProtocol) {
  auto src = make_smi_source(kDir + "/nvidia-smi");
  auto snap = src->read();
  ASSERT_EQ(snap.devices.size(), 4U); // three GPUs, and the MIG device seen through its process
  EXPECT_EQ(snap.devices[3].uuid, "MIG-1d2c3b4a-5e6f-5a7b-8c9d-0e1f2a3b4c5d");
  EXPECT_EQ(snap.processes.size(), 4U);
}

TEST(Nvml, AbsentLibraryGivesNoSourceAndOneNote) {
  std::string why;
  if (auto nvml = make_nvml_source(why)) GTEST_SKIP() << "this machine has NVML";
  EXPECT_EQ(why, "libnvidia-ml.so.1 cannot be loaded");
  testing::internal::CaptureStderr();
  auto src = open_gpu_source("auto", "aip-no-such-nvidia-smi");
  auto err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(src, nullptr);
  EXPECT_NE(err.find("note: no GPU metrics: libnvidia-ml.so.1 cannot be loaded, and no "
                     "aip-no-such-nvidia-smi on PATH"),
            std::string::npos)
      << err;
  try {
    open_gpu_source("nvml", "nvidia-smi");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::unavailable);
  }
  EXPECT_THROW(open_gpu_source("cuda", "nvidia-smi"), Error);
}

TEST(Allocation, FromTheEnvironment) {
  using V = std::vector<std::string>;
  auto env = [](std::initializer_list<std::string> vars) {
    std::string s;
    for (const auto &v : vars) s += v + '\0';
    return s;
  };
  EXPECT_EQ(allocated_gpus(env({"A=1", "CUDA_VISIBLE_DEVICES=0,2"})), (V{"0", "2"}));
  EXPECT_EQ(allocated_gpus(env({"CUDA_VISIBLE_DEVICES=0", "SLURM_JOB_GPUS=3"})), (V{"3"}));
  EXPECT_EQ(allocated_gpus(env({"NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b"})), (V{"GPU-a", "GPU-b"}));
  EXPECT_EQ(allocated_gpus(env({"NVIDIA_VISIBLE_DEVICES=all", "CUDA_VISIBLE_DEVICES=1"})),
            (V{"1"}));
  EXPECT_EQ(allocated_gpus(env({"NVIDIA_VISIBLE_DEVICES=void"})), V{});
  EXPECT_EQ(allocated_gpus(env({"CUDA_VISIBLE_DEVICES=1,-1,2"})), (V{"1"})); // CUDA stops at -1
  EXPECT_EQ(allocated_gpus(env({"CUDA_VISIBLE_DEVICES="})), V{});
  EXPECT_EQ(allocated_gpus(env({"XCUDA_VISIBLE_DEVICES=1", "CUDA_VISIBLE_DEVICESX=2"})), V{});
  EXPECT_EQ(allocated_gpus("CUDA_VISIBLE_DEVICES=4"), (V{"4"})); // no final NUL
}

TEST(Sampler, GpusMappedToCgroupJobsByPid) {
  SampleOptions o;
  o.cgroup_root = std::string(AIP_SOURCE_DIR) + "/tests/meter/cgroup/root";
  o.proc_root = std::string(AIP_SOURCE_DIR) + "/tests/meter/cgroup/proc";
  o.host = "gpu1";
  Sampler s(o, make_smi_source(kDir + "/nvidia-smi"));
  auto got = s.sample(1764669600);
  auto find = [&](const std::string &id) -> const records::Sample & {
    for (const auto &j : got)
      if (j.sample.job_id == id) return j.sample;
    throw std::runtime_error("no sample for " + id);
  };
  // Slurm job 1001: PID 5001 (in its step's group) uses GPU 0, 40000 MiB.
  const auto &slurm = find("1001");
  ASSERT_EQ(slurm.gpus.size(), 1U);
  EXPECT_EQ(slurm.gpus[0].index, 0);
  EXPECT_EQ(slurm.gpus[0].util_pct, 87.0);
  EXPECT_EQ(slurm.gpus[0].mem_used_bytes, 40000ULL * 1048576);
  EXPECT_DOUBLE_EQ(*slurm.gpus[0].power_w, 312.45);
  EXPECT_EQ(slurm.gpus[0].model, "NVIDIA A100-SXM4-80GB");
  // The Kubernetes pod's container runs on a MIG device.
  const auto &pod = find("6b1f2c3d-0a1b-4c2d-9e3f-123456789abc");
  ASSERT_EQ(pod.gpus.size(), 1U);
  EXPECT_EQ(pod.gpus[0].uuid, "MIG-1d2c3b4a-5e6f-5a7b-8c9d-0e1f2a3b4c5d");
  EXPECT_EQ(pod.gpus[0].mem_used_bytes, 9728ULL * 1048576);
  // aip job 42 on the T4: its process memory is [N/A], so the device's figure stands in.
  const auto &local = find("42");
  ASSERT_EQ(local.gpus.size(), 1U);
  EXPECT_EQ(local.gpus[0].util_pct, 3.0);
  EXPECT_EQ(local.gpus[0].mem_used_bytes, 0U);
  // Slurm job 1002 runs no process on a GPU but holds GPU 2 (SLURM_JOB_GPUS=2 in the
  // environment of its step_0 task; Slurm's renumbered CUDA_VISIBLE_DEVICES=0 is ignored, and
  // step_extern's process, whose environment names no GPU, is passed over): the T4 at 3 %,
  // none of its memory.
  const auto &held = find("1002");
  ASSERT_EQ(held.gpus.size(), 1U);
  EXPECT_EQ(held.gpus[0].uuid, "GPU-11223344-5566-7788-99aa-bbccddeeff00");
  EXPECT_EQ(held.gpus[0].util_pct, 3.0);
  EXPECT_EQ(held.gpus[0].mem_used_bytes, 0U);
  // PID 9999 is in a user session, no job's: nobody gets its 512 MiB.
  for (const auto &j : got)
    for (const auto &g : j.sample.gpus)
      EXPECT_NE(g.mem_used_bytes, 512ULL * 1048576) << j.sample.job_id;
}
