// Small helpers to write hand-worked examples readably: a one-sample, one-channel tensor from rows of numbers.
#pragma once

#include "cnnbp/core/tensor.hpp"

#include <initializer_list>

namespace cnnbp::testing {

inline Tensor4 plane_tensor(std::initializer_list<std::initializer_list<double>> rows) {
    Tensor4 t(1, 1, rows.size(), rows.begin()->size());
    arma::uword h = 0;
    for (const auto& r : rows) {
        arma::uword w = 0;
        for (double v : r) t(0, 0, h, w++) = v;
        ++h;
    }
    return t;
}

}  // namespace cnnbp::testing
