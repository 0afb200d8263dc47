#include "aip/metering/files.hpp"

#include <aip/core/diag.hpp>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace aip::metering {

int read_small_file(int dirfd, const char *name, std::string &out) {
  const int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  out.clear();
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    // The kernel's seq_file hands over all it has when the buffer has room, so a short
    // read is the end: skipping the read that would return 0 saves a system call per file.
    if (static_cast<std::size_t>(n) < sizeof buf) break;
  }
  ::close(fd);
  return 0;
}

bool is_vanished(int error) { return error == ENOENT || error == ESRCH || error == ENODEV; }

void WarnOnce::warn(const std::string &key, const std::string &message) {
  const std::string marked = "\n" + key + "\n";
  if (("\n" + keys_).find(marked) != std::string::npos) return;
  keys_ += key + "\n";
  ++seen_;
  diag::warning(message);
}

} // namespace aip::metering
