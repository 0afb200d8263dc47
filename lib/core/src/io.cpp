#include "aip/core/io.hpp"

#include "aip/core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace aip {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

[[noreturn]] void open_failed(const std::string &path, int err) {
  // A missing or unreadable input is "input missing" (66); anything else is an I/O error.
  Exit status = (err == ENOENT || err == EACCES || err == ENOTDIR || err == EISDIR) ? Exit::no_input
                                                                                    : Exit::io;
  fail(status, "cannot open '" + path + "': " + errno_text(err));
}

int open_input(const std::string &path) {
  if (is_stdio(path)) return STDIN_FILENO;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) open_failed(path, errno);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    open_failed(path, EISDIR);
  }
  return fd;
}

std::string dir_of(const std::string &path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string &path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s(8, 'x');
  for (auto &c : s) c = alphabet[rng() % (sizeof alphabet - 1)];
  return s;
}

void fsync_dir(const std::string &dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return; // best effort: some file systems do not allow opening folders
  ::fsync(dfd);
  ::close(dfd);
}

} // namespace

std::string display_name(std::string_view path) {
  return is_stdio(path) ? std::string("<stdin>") : std::string(path);
}

void write_all(int fd, std::string_view bytes, const std::string &what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(Exit::io, "cannot write " + what + ": " + errno_text(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// ---- InputBuffer ----

InputBuffer InputBuffer::open(const std::string &path) {
  InputBuffer in;
  in.name_ = display_name(path);
  int fd = open_input(path);
  struct stat st {};
  if (fd != STDIN_FILENO && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    void *p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      ::madvise(p, static_cast<std::size_t>(st.st_size), MADV_SEQUENTIAL);
      in.map_ = p;
      in.data_ = static_cast<const char *>(p);
      in.size_ = static_cast<std::size_t>(st.st_size);
      ::close(fd);
      return in;
    }
  }
  std::string bytes;
  char chunk[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      if (fd != STDIN_FILENO) ::close(fd);
      fail(Exit::io, "cannot read '" + in.name_ + "': " + errno_text(err));
    }
    if (n == 0) break;
    bytes.append(chunk, static_cast<std::size_t>(n));
  }
  if (fd != STDIN_FILENO) ::close(fd);
  in.owned_ = std::move(bytes);
  in.data_ = in.owned_.data();
  in.size_ = in.owned_.size();
  return in;
}

InputBuffer::InputBuffer(InputBuffer &&o) noexcept { *this = std::move(o); }

InputBuffer &InputBuffer::operator=(InputBuffer &&o) noexcept {
  if (this == &o) return *this;
  if (map_ != nullptr) ::munmap(map_, size_);
  map_ = std::exchange(o.map_, nullptr);
  owned_ = std::move(o.owned_);
  name_ = std::move(o.name_);
  size_ = std::exchange(o.size_, 0);
  data_ = map_ != nullptr ? static_cast<const char *>(map_) : owned_.data();
  o.data_ = nullptr;
  return *this;
}

void InputBuffer::release(std::size_t offset, std::size_t length) const {
  if (map_ == nullptr || offset >= size_) return;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::size_t begin = (offset + page - 1) / page * page; // whole pages inside the range only
  std::size_t end = std::min(offset + length, size_) / page * page;
  if (end > begin) ::madvise(static_cast<char *>(map_) + begin, end - begin, MADV_DONTNEED);
}

InputBuffer::~InputBuffer() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

std::string read_file(const std::string &path) {
  auto in = InputBuffer::open(path);
  return std::string(in.data());
}

// ---- LineReader ----

std::unique_ptr<LineReader> LineReader::open(const std::string &path) {
  int fd = open_input(path);
  return std::make_unique<LineReader>(fd, display_name(path), fd != STDIN_FILENO);
}

LineReader::LineReader(int fd, std::string name, bool owns_fd, std::size_t initial_capacity)
    : fd_(fd), owns_fd_(owns_fd), name_(std::move(name)) {
  buf_.resize(std::max<std::size_t>(initial_capacity, 2 * kPadding + 4096));
}

LineReader::~LineReader() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

bool LineReader::fill() {
  if (eof_) return false;
  // Move the unread tail to the front, and grow when a single line fills the buffer.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kPadding + 4096) buf_.resize(buf_.size() * 2);
  while (true) {
    ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_ - kPadding);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(Exit::io, "cannot read '" + name_ + "': " + errno_text(errno));
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<std::size_t>(n);
    return true;
  }
}

bool LineReader::next(std::string_view &line) {
  std::size_t scanned = begin_;
  while (true) {
    const char *start = buf_.data() + scanned;
    const void *nl = std::memchr(start, '\n', end_ - scanned);
    if (nl != nullptr) {
      std::size_t at = static_cast<std::size_t>(static_cast<const char *>(nl) - buf_.data());
      std::size_t len = at - begin_;
      if (len > 0 && buf_[at - 1] == '\r') --len;
      line = std::string_view(buf_.data() + begin_, len);
      begin_ = at + 1;
      ++line_no_;
      return true;
    }
    std::size_t offset = end_ - begin_;
    if (!fill()) {
      if (begin_ == end_) return false;
      // The last line has no '\n'.
      std::size_t len = end_ - begin_;
      if (buf_[end_ - 1] == '\r') --len;
      line = std::string_view(buf_.data() + begin_, len);
      begin_ = end_;
      ++line_no_;
      return true;
    }
    scanned = begin_ + offset;
  }
}

std::size_t LineReader::capacity_from(std::string_view line) const {
  return static_cast<std::size_t>(buf_.data() + buf_.size() - line.data());
}

// ---- AtomicFile ----

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  const std::string dir = dir_of(path_);
  mode_t mode;
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail(Exit::cant_create, "cannot create '" + path_ + "': is a folder");
    mode = st.st_mode & 07777; // keep the permissions of the file we replace
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  fd_ = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
  if (fd_ < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // No O_TMPFILE here: a hidden named temporary that commit() renames.
    for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
      temp_path_ = dir + "/." + base_of(path_) + ".aip-" + random_suffix();
      fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
      if (fd_ < 0 && errno != EEXIST) break;
    }
  }
  if (fd_ < 0) fail(Exit::cant_create, "cannot create '" + path_ + "': " + errno_text(errno));
  if (temp_path_.empty()) ::fchmod(fd_, mode);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(std::string_view bytes) {
  if (committed_) fail(Exit::internal, "write to '" + path_ + "' after commit");
  write_all(fd_, bytes, "'" + path_ + "'");
}

void AtomicFile::commit() {
  if (committed_) return;
  if (::fsync(fd_) != 0) fail(Exit::io, "cannot write '" + path_ + "': " + errno_text(errno));
  const std::string dir = dir_of(path_);
  if (temp_path_.empty()) {
    // Give the unnamed file a hidden name, then rename it over the target: linkat cannot
    // replace an existing file, rename can, and both are atomic.
    std::string proc = "/proc/self/fd/" + std::to_string(fd_);
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string candidate = dir + "/." + base_of(path_) + ".aip-" + random_suffix();
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, candidate.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        temp_path_ = candidate;
        break;
      }
      if (errno != EEXIST)
        fail(Exit::cant_create, "cannot create '" + path_ + "': " + errno_text(errno));
    }
    if (temp_path_.empty()) fail(Exit::cant_create, "cannot create '" + path_ + "'");
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
    fail(Exit::cant_create, "cannot create '" + path_ + "': " + errno_text(err));
  }
  committed_ = true;
  ::close(fd_);
  fd_ = -1;
  fsync_dir(dir);
}

// ---- Output ----

Output::Output(const std::string &path) : name_(is_stdio(path) ? "<stdout>" : path) {
  if (!is_stdio(path)) file_ = std::make_unique<AtomicFile>(path);
  buffer_.reserve(1 << 16);
}

Output::~Output() {
  // Standard output is flushed even without commit (a tool that fails half way still shows
  // what it printed); a file is only published by commit().
  if (!file_) {
    try {
      drain();
    } catch (...) {
    }
  }
}

void Output::write(std::string_view bytes) {
  buffer_.append(bytes);
  if (buffer_.size() >= (1 << 16)) drain();
}

void Output::drain() {
  if (buffer_.empty()) return;
  if (file_)
    file_->write(buffer_);
  else
    write_all(STDOUT_FILENO, buffer_, "standard output");
  buffer_.clear();
}

void Output::flush() { drain(); }

void Output::commit() {
  drain();
  if (file_) file_->commit();
}

bool Output::is_terminal() const { return !file_ && ::isatty(STDOUT_FILENO) == 1; }

} // namespace aip
