/// \file
/// Reading and writing an op's parameters in a case file (\ref case_format "Case files"): integers, [h, w] pairs, booleans and the
/// four-sided padding, each validated with a message that names the key and the number.
#pragma once

#include "cnnbp/core/geometry.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <utility>

namespace cnnbp {

/// Reads one op's parameters object. Messages name the key as `prefix.key` ("params.stride",
/// "params.layers[2].stride" inside a network).
struct ParamReader {
    const nlohmann::ordered_json& params;            ///< the parameters object (an empty object when the case has none)
    std::string op;                ///< the op, for messages
    std::string prefix = "params"; ///< how messages name the object

    /// Throws cnnbp::Error for a key that is not one of `names`.
    void allow(std::initializer_list<const char*> names) const;
    /// Whether the key is given.
    bool has(const std::string& key) const { return params.contains(key); }
    /// An integer in [least, 1000000], or `fallback` when absent.
    int integer(const std::string& key, int fallback, int least) const;
    /// An integer or [h, w], each at least `least`; `fallback` when absent.
    std::pair<int, int> pair(const std::string& key, std::pair<int, int> fallback, int least) const;
    /// true or false; `fallback` when absent.
    bool boolean(const std::string& key, bool fallback) const;
    /// An integer (all four sides) or {"top", "bottom", "left", "right"} (a missing side is 0); zeros when absent.
    Padding padding(const std::string& key = "padding") const;

private:
    int integer_at(const nlohmann::ordered_json& j, const std::string& where, int least) const;
};

/// [h, w] as case files write a pair.
nlohmann::ordered_json pair_json(int h, int w);
/// {"top", "bottom", "left", "right"} as case files write a padding.
nlohmann::ordered_json padding_json(const Padding& p);

}  // namespace cnnbp
