#include "cnnbp/layers/flatten.hpp"

#include "cnnbp/core/error.hpp"

namespace cnnbp {

// [flatten]
arma::mat flatten_forward(const Tensor4& x) {
    arma::mat out(x.n(), x.c() * x.h() * x.w());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            for (arma::uword h = 0; h < x.h(); ++h)
                for (arma::uword w = 0; w < x.w(); ++w) out(n, (c * x.h() + h) * x.w() + w) = x.at(n, c, h, w);
    return out;
}

FlattenGrads flatten_backward(const arma::mat& dout, const Shape4& x_shape) {
    if (dout.n_rows != x_shape.n || dout.n_cols != x_shape.c * x_shape.h * x_shape.w)
        fail("flatten_backward: dout is ", dout.n_rows, " x ", dout.n_cols, " but x has shape ", x_shape,
             ", which flattens to ", x_shape.n, " x ", x_shape.c * x_shape.h * x_shape.w);
    Tensor4 dx(x_shape);
    for (arma::uword n = 0; n < x_shape.n; ++n)
        for (arma::uword c = 0; c < x_shape.c; ++c)
            for (arma::uword h = 0; h < x_shape.h; ++h)
                for (arma::uword w = 0; w < x_shape.w; ++w) dx.at(n, c, h, w) = dout(n, (c * x_shape.h + h) * x_shape.w + w);
    return {dx};
}
// [flatten]

}  // namespace cnnbp
