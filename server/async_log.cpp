#include "server/async_log.hpp"

#include <chrono>
#include <utility>

namespace tsunagi::server {

namespace {
std::atomic<std::uint64_t> g_dropped{0};
}  // namespace

std::uint64_t log_lines_dropped() {
  return g_dropped.load();
}

AsyncLog::AsyncLog(std::function<void(const std::string&)> write, std::size_t max_queued)
    : write_(std::move(write)), max_queued_(max_queued), thread_([this] { run(); }) {}

AsyncLog::~AsyncLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  // A writer stuck on a stalled stderr must not hang the shutdown: give it a moment, then leave
  // it (the process is exiting).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (queue_.empty() && !writing_) break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      thread_.detach();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  thread_.join();
}

void AsyncLog::log(std::string line) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= max_queued_) {
      dropped_.fetch_add(1);
      g_dropped.fetch_add(1);
      return;
    }
    queue_.push_back(std::move(line));
    wake = waiting_;  // a busy writer takes this line with the next batch anyway
  }
  if (wake) cv_.notify_one();
}

void AsyncLog::run() {
  std::unique_lock lock(mu_);
  std::deque<std::string> batch;
  for (;;) {
    waiting_ = true;
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    waiting_ = false;
    if (queue_.empty()) return;  // stopping, all written
    // Everything queued, in one write: one system call for many lines under load.
    batch.swap(queue_);
    writing_ = true;
    lock.unlock();
    std::string text;
    for (auto& line : batch) {
      if (!text.empty()) text += '\n';
      text += line;
    }
    batch.clear();
    if (write_) write_(text);
    lock.lock();
    writing_ = false;
  }
}

}  // namespace tsunagi::server
