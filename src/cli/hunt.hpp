// build/cnnbp hunt: random cases for one op, biased toward the places where implementations break, until the
// implementation gets one wrong; then the case is shrunk while it still fails.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace cnnbp::cli {

/// What the user asked of hunt.
struct HuntOptions {
    std::string op, impl, dtype = "float64", save = "hunt-failure.json", require = "all", bound = "tight";
    std::string accumulate;  ///< --accumulate: the precision of the products and sums ("": the default for dtype)
    int cases = 1000;
    unsigned long long seed = 1;
    bool ties = false, coverage = false, as_json = false;
    bool npy = false;  ///< --npy: save the case's tensors as .npy files beside --save
    bool exact = false;  ///< --exact: integer inputs, cases marked "exact", judged with tolerance 0 where (E12) holds
    double timeout = 10.0, startup_timeout = 60.0;
    int jobs = 1;                            ///< implementations working side by side
    std::uint64_t shard = 0, shards = 1;     ///< --shard K/N: only the cases i (from 0) with i % N == K
    std::map<std::string, std::pair<int, int>> params;  ///< --param NAME=VALUE or NAME=LO..HI
};

/// Parses one --param NAME=VALUE or NAME=LO..HI into `o.params`. Throws cnnbp::Error for a malformed one.
void add_hunt_param(HuntOptions& o, const std::string& text);

/// Parses --shard K/N (0 <= K < N) into `o.shard` and `o.shards`. Throws cnnbp::Error for a malformed one.
void set_hunt_shard(HuntOptions& o, const std::string& text);

/// Runs the hunt. Returns 0 when no wrong answer was found, 1 when one was (saved and printed), 4 when nothing was
/// judged, 5 when answers left required outputs out.
int run_hunt(const HuntOptions& o);

}  // namespace cnnbp::cli
