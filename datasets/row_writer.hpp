// The second stage of an import: the rows the reader has checked are written to the store on a
// thread of their own, so that reading and checking the next rows (GDAL's reader, the mapping,
// every validation) runs beside the store's inserts on the other core. Rows are handed over in
// batches through a short queue (a few thousand rows at most in flight), in the order they were
// read. While a RowWriter runs, only its thread uses the store: the reader must not touch the
// store until finish() has returned (or the writer is destroyed).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "geo/core/resource.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::datasets {

class RowWriter {
 public:
  struct Counts {
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
  };

  /// Starts the writing thread. Each row is stored with store.upsert_imported(row, actor), inside
  /// the caller's transaction.
  RowWriter(geo::Store& store, std::string actor);
  /// Without finish() (the reader failed): stops after the row being written, drops the rest and
  /// joins. The caller's transaction then rolls back what was written.
  ~RowWriter();
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;

  /// Queues one checked row; waits while the queue is full.
  /// @throws the writer's error (a StoreError, say) once the writer has failed.
  void push(geo::Resource row);
  /// Writes every row queued, joins the thread and says what became of the rows.
  /// @throws the writer's error, if it failed.
  Counts finish();

 private:
  using Batch = std::vector<geo::Resource>;
  void hand_over();
  void run();
  void stop_and_join();

  geo::Store& store_;
  std::string actor_;
  Batch filling_;  // the reader's side: the batch being filled
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  std::vector<Batch> spent_;  // written batches, handed back: the reader destroys their rows
  bool closed_ = false;       // no more batches will come
  std::atomic<bool> aborted_{false};  // drop what is queued and stop
  std::exception_ptr error_;
  Counts counts_;  // the writer's; read after the join
  std::thread thread_;
};

}  // namespace tsunagi::datasets
