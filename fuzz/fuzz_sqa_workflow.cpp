// GitHub workflow analysis and the .sqa-check.yml reader: any bytes give facts and issues (a
// malformed file is an issue with a line, never an exception), or, for the project file,
// aip::Error with the data status.
#include <aip/core/error.hpp>
#include <aip/sqa/assess.hpp>
#include <aip/sqa/workflow.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto f = aip::sqa::analyse_workflow(text, "fuzz.yml");
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 2;
  for (const auto &i : f.issues)
    if (i.line > lines) std::abort(); // an issue points inside the file
  try {
    (void)aip::sqa::parse_project_config(text, ".sqa-check.yml");
  } catch (const aip::Error &e) {
    if (e.status() != aip::Exit::data) std::abort();
  }
  return 0;
}
