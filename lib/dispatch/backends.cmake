# The engine backends: an HTTP client over libcurl, Kubernetes (+Kueue), Nomad, HTCondor and
# slurmrestd. Included from this folder's CMakeLists.txt so that file stays short.
target_sources(aip_dispatch PRIVATE src/http.cpp src/engine.cpp src/kubernetes.cpp src/nomad.cpp src/htcondor.cpp
               src/slurmrestd.cpp)
target_link_libraries(aip_dispatch PRIVATE CURL::libcurl yaml-cpp)

# Protocol tests: the real HTTP protocol against tests/backends/api_server.py, a local
# stand-in that answers in the Kubernetes and Nomad APIs' documented shapes (over TLS with a
# throwaway certificate); golden files for HTCondor; the real slurmrestd of the Slurm fixture.
aip_add_gtest(dispatch_backends_tests SOURCES tests/backends_test.cpp LIBS aip_dispatch)
