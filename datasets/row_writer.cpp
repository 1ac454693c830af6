#include "datasets/row_writer.hpp"

#include <utility>

namespace tsunagi::datasets {

namespace {

// Rows per batch and batches queued: the reader runs at most ~2,300 rows ahead of the store (a
// few MB of resources), and takes the lock once per 256 rows.
constexpr std::size_t kBatchRows = 256;
constexpr std::size_t kQueuedBatches = 8;

}  // namespace

RowWriter::RowWriter(geo::Store& store, std::string actor)
    : store_(store), actor_(std::move(actor)) {
  filling_.reserve(kBatchRows);
  thread_ = std::thread([this] { run(); });
}

RowWriter::~RowWriter() {
  stop_and_join();
}

void RowWriter::stop_and_join() {
  if (!thread_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    aborted_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void RowWriter::push(geo::Resource row) {
  filling_.push_back(std::move(row));
  if (filling_.size() >= kBatchRows) hand_over();
}

void RowWriter::hand_over() {
  std::vector<Batch> spent;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < kQueuedBatches || error_; });
  if (error_) std::rethrow_exception(error_);
  queue_.push_back(std::move(filling_));
  spent.swap(spent_);
  lock.unlock();
  changed_.notify_all();
  // The written rows are freed here, on the reader's thread, which has time to spare (the
  // store's inserts are the slower side, and a row's memory goes back to the thread that made it);
  // a spent batch is filled again.
  for (auto& b : spent) b.clear();
  if (!spent.empty()) {
    filling_ = std::move(spent.back());
  } else {
    filling_ = Batch();
    filling_.reserve(kBatchRows);
  }
}

RowWriter::Counts RowWriter::finish() {
  if (!filling_.empty()) hand_over();
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(error_);
  return counts_;
}

void RowWriter::run() {
  Batch written;
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      if (!written.empty()) spent_.push_back(std::move(written));
      changed_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty() || aborted_) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();  // room in the queue
    try {
      for (auto& row : batch) {
        if (aborted_.load(std::memory_order_relaxed)) return;
        switch (store_.upsert_imported(row, actor_)) {
          case geo::UpsertOutcome::inserted:
            ++counts_.inserted;
            break;
          case geo::UpsertOutcome::updated:
            ++counts_.updated;
            break;
          case geo::UpsertOutcome::unchanged:
            ++counts_.unchanged;
            break;
        }
      }
    } catch (...) {
      {
        const std::lock_guard lock(mutex_);
        error_ = std::current_exception();
      }
      changed_.notify_all();
      return;
    }
    written = std::move(batch);
  }
}

}  // namespace tsunagi::datasets
