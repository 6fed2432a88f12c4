/// \file
/// The one source of generated cases: every op's generator (ops/) asks a Draw for named integers and for tensors of
/// values, and three kinds of Draw answer. In hunt, a seeded Rng that is the same with every compiler and standard
/// library (no std:: distributions), which records each named integer so that a failing case can be replayed with
/// smaller ones (shrinking); in the properties, RapidCheck (tests/support/rc_draw.hpp), which shrinks on its own; in
/// golden, the same Rng for values. Values are multiples of 1/16, so that sums are exact in float32 and cases read as
/// plain numbers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cnnbp {

/// A 64-bit linear congruential sequence (Knuth's MMIX constants), defined by its arithmetic alone: the same seed
/// gives the same numbers on every machine and with every standard library.
class Rng {
public:
    /// The sequence of a seed.
    explicit Rng(std::uint64_t seed) : state_(seed * 2862933555777941757ULL + 3037000493ULL) {}
    /// The next 31 random bits.
    std::uint64_t next() {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return state_ >> 33;
    }
    /// An integer in [lo, hi] (hi >= lo), by the remainder of next().
    int integer(int lo, int hi) { return lo + int(next() % std::uint64_t(hi - lo + 1)); }
    /// A value k/16 with k in [-32, 32] and k != 0: never 0, so that no value is zero by accident.
    double nonzero_sixteenth() {
        const int k = int(next() % 64) - 32;  // -32 .. 31
        return (k >= 0 ? k + 1 : k) / 16.0;
    }

private:
    std::uint64_t state_;
};

/// The value of index j (any integer) in an increasing sequence of distinct values with at most `bits` significant
/// bits: j/16 while |j| <= 2^bits, then the next values of that precision, so that a tensor of distinct values can be
/// drawn in float16 (11 bits) or bfloat16 (8 bits) too.
double distinct_value(std::int64_t j, int bits);

/// How the values of a tensor are drawn.
enum class ValueRule {
    sixteenths,  ///< k/16 with k in [-32, 32] (hunt and golden leave 0 out)
    distinct,    ///< all different, so that no max-pool window ties
    ties         ///< from {-1, 0, 1}, so that windows tie and relu sits on its kink (hunt --ties)
};

/// Where a generator gets its numbers. Names are the ones `hunt --param` pins ("n", "kernel", "stride", ...).
class Draw {
public:
    virtual ~Draw() = default;
    /// An integer in [lo, hi].
    virtual int integer(const std::string& name, int lo, int hi) = 0;
    /// `count` values for the tensor named `tensor` ("x", "w", "dout", ...).
    virtual std::vector<double> values(const std::string& tensor, std::size_t count, ValueRule rule) = 0;
    /// true or false, named like an integer.
    bool flag(const std::string& name) { return integer(name, 0, 1) == 1; }
    /// true with the given percentage; an unnamed coin (no --param pins it) that shrinks toward true.
    bool chance(const std::string& name, int percent) { return integer("~" + name, 0, 99) < percent; }
    /// Whether `--param` pins the name (then a generator does not override it with a special case).
    virtual bool pinned(const std::string& name) const { (void)name; return false; }
    /// hunt --ties: the ops with a kink or a tie rule draw their inputs with ValueRule::ties.
    bool ties = false;
};

/// One named integer as a RandomDraw drew it: its key (the name and how many times that name was drawn before,
/// "kernel#1") and its range's low end, toward which shrinking moves.
struct Drawn {
    std::string key;  ///< "kernel#1"
    int value;        ///< what was drawn
    int lo;           ///< the low end of its range, toward which shrinking moves
    int hi;           ///< the high end of its range
};

/// The Draw of hunt: integers and values from an Rng, within the ranges `--param` pins; every integer is recorded, and
/// a replay map (key -> value) makes it draw a recorded case again with some integers changed (clamped to their
/// ranges; a key the replay lacks is drawn afresh). Value pools are drawn once per tensor name and kept, so that a
/// smaller case keeps the values it had.
class RandomDraw : public Draw {
public:
    /// Draws from `seed`, honouring `pins` (name -> [lo, hi]) and replaying `replay` (key -> value) where given.
    RandomDraw(std::uint64_t seed, std::map<std::string, std::pair<int, int>> pins,
               std::map<std::string, int> replay = {}, std::map<std::string, std::vector<double>> pools = {});
    int integer(const std::string& name, int lo, int hi) override;
    std::vector<double> values(const std::string& tensor, std::size_t count, ValueRule rule) override;
    bool pinned(const std::string& name) const override { return pins_.count(name) > 0; }

    std::vector<Drawn> drawn;                             ///< every integer drawn, in order
    std::map<std::string, std::vector<double>> pools;     ///< the value pool of each tensor name
    int bits = 53;  ///< the significant bits of the precision judged: every value drawn is one of its values
    bool integers = false;  ///< hunt --exact: -2, -1, 1 or 2 in place of sixteenths, so that sums stay exact longer

private:
    Rng rng_;
    std::map<std::string, std::pair<int, int>> pins_;
    std::map<std::string, int> replay_;
    std::map<std::string, int> times_;  // how often each name was drawn
};

}  // namespace cnnbp
