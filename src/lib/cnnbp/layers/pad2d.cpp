#include "cnnbp/layers/pad2d.hpp"

#include "cnnbp/core/error.hpp"

namespace cnnbp {

namespace {
void check_padding(const char* fn, const Padding& p) {
    if (p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0)
        fail(fn, ": every padding must be >= 0, got ", p);
}
}  // namespace

// [pad2d_forward]
Tensor4 pad2d_forward(const Tensor4& x, const Padding& p) {
    check_padding("pad2d_forward", p);
    if (x.h() == 0 || x.w() == 0) fail("pad2d_forward: x has shape ", x.shape(), "; H and W must be >= 1");
    // x is (N,C,H,W); out is (N,C,p_top+H+p_bottom, p_left+W+p_right), zero outside the copy.
    Tensor4 out(x.n(), x.c(), x.h() + p.top + p.bottom, x.w() + p.left + p.right);
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c)
            out.plane(n, c).submat(p.top, p.left, p.top + x.h() - 1, p.left + x.w() - 1) = x.plane(n, c);
    return out;
}
// [pad2d_forward]

// [pad2d_backward]
Pad2dGrads pad2d_backward(const Tensor4& dout, const Padding& p) {
    check_padding("pad2d_backward", p);
    const long long H = static_cast<long long>(dout.h()) - p.top - p.bottom;
    const long long W = static_cast<long long>(dout.w()) - p.left - p.right;
    if (H < 1 || W < 1)
        fail("pad2d_backward: dout has shape ", dout.shape(), " which is too small for padding ", p,
             ": the unpadded input would be ", H, " x ", W);
    // forward: out[n,c,h+p_top,w+p_left] = x[n,c,h,w]; each x feeds exactly one out, so dx is the crop.
    Tensor4 dx(dout.n(), dout.c(), H, W);
    for (arma::uword n = 0; n < dout.n(); ++n)
        for (arma::uword c = 0; c < dout.c(); ++c)
            dx.plane(n, c) = dout.plane(n, c).submat(p.top, p.left, p.top + H - 1, p.left + W - 1);
    return {dx};
}
// [pad2d_backward]

}  // namespace cnnbp
