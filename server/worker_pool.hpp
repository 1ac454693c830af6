// A small pool of threads for work that must not run on Pistache's reactor threads (store writes
// with the snapshot rebuild after them, argon2id password checks): a slow handler on a reactor
// thread would stall every connection of that thread. The queue is bounded; when it is full the
// caller answers 503 instead of queueing without end.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tsunagi::server {

class WorkerPool {
 public:
  WorkerPool(int threads, std::size_t max_queue);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  /// Queues a job; false when the queue is full or the pool is stopping.
  bool submit(std::function<void()> job);
  /// Stops taking jobs, runs what is queued, joins the threads. Idempotent.
  void stop();

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::size_t max_queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tsunagi::server
