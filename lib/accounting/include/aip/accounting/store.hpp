// The PostgreSQL store (libpq): a versioned schema, idempotent bulk ingestion of
// aip.usage/v1 records, and reports computed in SQL with the same meaning as report.hpp.
//
// The connection string is libpq's (URL or key=value); passwords come from PGPASSFILE,
// ~/.pgpass or PGPASSWORD, never from aip's flags, and messages never repeat them.
#pragma once

#include <aip/accounting/fairshare.hpp>
#include <aip/accounting/report.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace aip::accounting {

// The connection string with any password replaced by "***", for messages.
std::string redact_conninfo(const std::string &conninfo);
// Whether the connection string carries a password (refused on the command line).
bool conninfo_has_password(const std::string &conninfo);

struct IngestOptions {
  bool wait = true;          // wait for another ingest's lock; otherwise fail with 75
  bool skip_invalid = false; // leave bad records out (counted) instead of failing with 65
};

struct IngestResult {
  std::uint64_t read = 0, inserted = 0, duplicates = 0, skipped = 0;
  std::string first_skipped;
};

class Store {
public:
  // Connects (69 when the server cannot be reached or refuses).
  explicit Store(const std::string &conninfo);
  ~Store();
  Store(const Store &) = delete;
  Store &operator=(const Store &) = delete;

  static int latest_version();
  int version(); // 0 before init
  // Creates the schema and applies every migration not yet applied; returns the version.
  // Safe to repeat, and safe when two run at once (an advisory lock serialises them).
  int migrate();

  // Reads every file ("-": stdin) and stores each record_id once, in one transaction with
  // the daily roll-ups of the records it inserted: batches COPYed straight into aip_usage,
  // or, for a batch holding ids already stored, through a staging table and INSERT ... ON
  // CONFLICT (record_id) DO NOTHING. A second ingest waits on an advisory lock (or fails with
  // 75 when !wait). Killed at any point, the database holds all of this ingest or none of it.
  IngestResult ingest(const std::vector<std::string> &paths, const IngestOptions &options);

  // Recomputes aip_usage_rollup from aip_usage (after records were deleted by hand, say).
  void rebuild_rollups();

  // The same groups as aggregate_files() over the stored records, computed by the server:
  // from the daily roll-ups when the report allows (one dimension or none, a period of a day
  // or longer, filters on that dimension only, no time window), otherwise (or with `raw`)
  // from the records themselves.
  Report report(const ReportSpec &spec, bool raw = false);

  // Decayed usage per project and user (decayed_usage() of fairshare.hpp, summed by the
  // server), given to `fairshare`.
  void fairshare_usage(Fairshare &fairshare, const FairshareOptions &options);

private:
  Report report_rollups(const ReportSpec &spec, const std::string &dim);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace aip::accounting
