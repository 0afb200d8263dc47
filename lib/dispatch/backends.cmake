# The engine backends: an HTTP client over libcurl, Kubernetes (+Kueue), Nomad, HTCondor and
# slurmrestd. Included from this folder's CMakeLists.txt so that file stays short.
target_sources(aip_dispatch PRIVATE src/http.cpp src/engine.cpp src/kubernetes.cpp src/nomad.cpp src/htcondor.cpp
               src/slurmrestd.cpp)
target_link_libraries(aip_dispatch PRIVATE CURL::libcurl yaml-cpp)

# Protocol tests: the real HTTP protocol against tests/backends/api_server.py, a local
# stand-in that answers in the Kubernetes and Nomad APIs' documented shapes (over TLS with a
# throwaway certificate); golden files for HTCondor; the real slurmrestd of the Slurm fixture.
aip_add_gtest(dispatch_backends_tests SOURCES tests/backends_test.cpp LIBS aip_dispatch)

# The slurmrestd backend against the real slurmrestd of the Slurm fixture.
add_executable(dispatch_slurmrestd_tests tests/slurmrestd_test.cpp)
target_link_libraries(dispatch_slurmrestd_tests PRIVATE aip_dispatch GTest::gtest GTest::gtest_main)
add_test(NAME dispatch.slurmrestd COMMAND dispatch_slurmrestd_tests)
set_tests_properties(dispatch.slurmrestd PROPERTIES LABELS integration TIMEOUT 240)
aip_test_requires_service(dispatch.slurmrestd slurm)

# The engines from the command line (render for each, submit/run/status/watch/cancel through
# the Kubernetes and Nomad protocols against the local test server).
add_test(NAME dispatch.backends.cli COMMAND ${PROJECT_SOURCE_DIR}/tests/backends/cli_test.sh ${CMAKE_BINARY_DIR}/bin)
set_tests_properties(dispatch.backends.cli PROPERTIES LABELS integration TIMEOUT 300)
add_test(NAME dispatch.backends.slurmrestd_cli COMMAND ${PROJECT_SOURCE_DIR}/tests/backends/slurmrestd_cli_test.sh ${CMAKE_BINARY_DIR}/bin)
set_tests_properties(dispatch.backends.slurmrestd_cli PROPERTIES LABELS integration TIMEOUT 240)
aip_test_requires_service(dispatch.backends.slurmrestd_cli slurm)
