// Input from files, "-" and stdin; output to stdout or, atomically, to a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace aip {

// Whether a path argument means standard input/output.
inline bool is_stdio(std::string_view path) { return path.empty() || path == "-"; }

// The name diagnostics use for an input: the path, or "<stdin>".
std::string display_name(std::string_view path);

// A whole input in memory: a read-only mapping of a regular file, or the bytes read from a
// pipe or stdin. The bytes past size() are not guaranteed readable; use padded copies where
// a parser needs padding.
class InputBuffer {
public:
  static InputBuffer open(const std::string &path); // "-" or "" reads stdin
  InputBuffer(InputBuffer &&) noexcept;
  InputBuffer &operator=(InputBuffer &&) noexcept;
  InputBuffer(const InputBuffer &) = delete;
  InputBuffer &operator=(const InputBuffer &) = delete;
  ~InputBuffer();

  std::string_view data() const { return {data_, size_}; }
  std::size_t size() const { return size_; }
  const std::string &name() const { return name_; }
  // Tells the kernel the bytes in [offset, offset + length) will not be needed soon: a
  // mapped file's pages leave the resident set (they are read again if touched), so a
  // reader that releases what it has parsed keeps its memory small however large the file.
  void release(std::size_t offset, std::size_t length) const;

private:
  InputBuffer() = default;
  const char *data_ = nullptr;
  std::size_t size_ = 0;
  void *map_ = nullptr; // non-null when mapped
  std::string owned_;
  std::string name_;
};

// Reads a whole file or stdin into a string.
std::string read_file(const std::string &path);

// Streams lines from a file descriptor as they arrive (pipes, `tail -f`), without waiting for
// end of input. A line excludes its '\n' and a trailing '\r'. The bytes after each returned
// line stay readable for at least `kPadding` bytes, so simdjson can parse it in place.
class LineReader {
public:
  static constexpr std::size_t kPadding = 64;

  static std::unique_ptr<LineReader> open(const std::string &path); // "-" or "" reads stdin
  LineReader(int fd, std::string name, bool owns_fd, std::size_t initial_capacity = 1 << 20);
  LineReader(const LineReader &) = delete;
  LineReader &operator=(const LineReader &) = delete;
  ~LineReader();

  // The next line, or false at end of input. The view is valid until the next call.
  bool next(std::string_view &line);
  std::uint64_t line_number() const { return line_no_; } // 1-based, of the last line returned
  const std::string &name() const { return name_; }
  // Bytes readable from the start of the last returned line (>= its size + kPadding).
  std::size_t capacity_from(std::string_view line) const;

private:
  bool fill();
  int fd_;
  bool owns_fd_;
  bool eof_ = false;
  std::string name_;
  std::string buf_; // size() is the capacity in use; valid bytes are [begin_, end_)
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t line_no_ = 0;
};

// Writes a file atomically: the bytes go to an unnamed temporary file in the target's folder
// (O_TMPFILE, or a hidden named one where the file system lacks it), and only commit() makes
// them visible under the target name (fsync, then rename). Destroyed without commit, or
// killed at any moment, the target keeps its old content or stays absent.
class AtomicFile {
public:
  explicit AtomicFile(std::string path);
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;
  ~AtomicFile();

  void write(std::string_view bytes);
  void commit();
  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::string temp_path_; // empty with O_TMPFILE
  int fd_ = -1;
  bool committed_ = false;
};

// Where a tool's results go: stdout, or a file written atomically. Buffered; write() may be
// called for every record. flush() pushes the bytes out (streaming tools call it per record).
class Output {
public:
  explicit Output(const std::string &path); // "-" or "" is stdout
  Output(const Output &) = delete;
  Output &operator=(const Output &) = delete;
  ~Output();

  void write(std::string_view bytes);
  Output &operator<<(std::string_view bytes) {
    write(bytes);
    return *this;
  }
  void flush();
  // Completes the output: flushes stdout, or publishes the file. Without commit(), a file
  // output is discarded.
  void commit();
  bool is_stdout() const { return file_ == nullptr; }
  bool is_terminal() const; // stdout and a terminal: tools pick "table" then
  const std::string &name() const { return name_; }

private:
  void drain();
  std::unique_ptr<AtomicFile> file_;
  std::string buffer_;
  std::string name_;
};

// Writes all bytes to a file descriptor, retrying short writes and EINTR; throws Exit::io.
void write_all(int fd, std::string_view bytes, const std::string &what);

} // namespace aip
