// The server's log lines (access log, errors) go through a bounded queue to one writer thread, so
// that a stalled reader of stderr (a full pipe, a stopped terminal) never stalls a reactor or a
// worker: when the queue is full, lines are dropped and counted instead.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace tsunagi::server {

class AsyncLog {
 public:
  /// `write` is called on the writer thread with one or more lines joined by '\n' (no final
  /// line break: a line writer adds it).
  AsyncLog(std::function<void(const std::string&)> write, std::size_t max_queued = 4096);
  AsyncLog(const AsyncLog&) = delete;
  AsyncLog& operator=(const AsyncLog&) = delete;
  /// Writes what is queued (unless the writer is stuck) and stops.
  ~AsyncLog();

  /// Queues a line; never blocks. Drops it (and counts it) when the queue is full.
  void log(std::string line);
  /// Lines dropped so far by this log.
  [[nodiscard]] std::uint64_t dropped() const { return dropped_.load(); }

 private:
  void run();
  std::function<void(const std::string&)> write_;
  std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  bool writing_ = false;  ///< the writer holds lines (it may be stuck in write_)
  bool waiting_ = false;  ///< the writer waits for lines (only then is it notified)
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;
};

/// Log lines dropped by every AsyncLog of this process (for GET /health).
std::uint64_t log_lines_dropped();

}  // namespace tsunagi::server
