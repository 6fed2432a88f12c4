// Tensors as JSON: nested arrays in row-major order, (N, C, H, W) for a Tensor4, a flat array for a vector.
#pragma once

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/geometry.hpp"
#include "cnnbp/core/tensor.hpp"

#include <nlohmann/json.hpp>

namespace cnnbp::testing {

inline nlohmann::json to_json(const Tensor4& t) {
    nlohmann::json out = nlohmann::json::array();
    for (arma::uword n = 0; n < t.n(); ++n) {
        nlohmann::json channels = nlohmann::json::array();
        for (arma::uword c = 0; c < t.c(); ++c) {
            nlohmann::json rows = nlohmann::json::array();
            for (arma::uword h = 0; h < t.h(); ++h) {
                nlohmann::json row = nlohmann::json::array();
                for (arma::uword w = 0; w < t.w(); ++w) row.push_back(t(n, c, h, w));
                rows.push_back(row);
            }
            channels.push_back(rows);
        }
        out.push_back(channels);
    }
    return out;
}

inline nlohmann::json to_json(const arma::vec& v) { return nlohmann::json(arma::conv_to<std::vector<double>>::from(v)); }

inline nlohmann::json to_json(const Padding& p) {
    return {{"top", p.top}, {"bottom", p.bottom}, {"left", p.left}, {"right", p.right}};
}

inline Tensor4 tensor4_from_json(const nlohmann::json& j) {
    const auto& n0 = j.at(0);
    const auto& c0 = n0.at(0);
    Tensor4 t(j.size(), n0.size(), c0.size(), c0.at(0).size());
    for (arma::uword n = 0; n < t.n(); ++n)
        for (arma::uword c = 0; c < t.c(); ++c)
            for (arma::uword h = 0; h < t.h(); ++h)
                for (arma::uword w = 0; w < t.w(); ++w) t(n, c, h, w) = j.at(n).at(c).at(h).at(w).get<double>();
    return t;
}

inline arma::vec vec_from_json(const nlohmann::json& j) { return arma::vec(j.get<std::vector<double>>()); }

}  // namespace cnnbp::testing
