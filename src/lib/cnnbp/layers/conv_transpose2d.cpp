#include "cnnbp/layers/conv_transpose2d.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/layers/pad2d.hpp"

#include <algorithm>

namespace cnnbp {

namespace {

void require_at_least(const char* fn, const char* name, long long value, long long least) {
    if (value < least) fail(fn, ": ", name, " must be >= ", least, ", got ", value);
}

// (U3): PyTorch's rule, 0 <= op < max(s, d).
void check_output_padding(const char* fn, const char* axis, int op, int stride, int dilation) {
    require_at_least(fn, axis[0] == 'h' ? "output_padding_h" : "output_padding_w", op, 0);
    if (op >= std::max(stride, dilation))
        fail(fn, ": output_padding_", axis, " = ", op, " must be smaller than stride_", axis, " = ", stride,
             " or dilation_", axis, " = ", dilation);
}

// (U2): the output extent along one axis, (n-1) s - p_lo - p_hi + d (K-1) + op + 1, which must be >= 1.
// `formula` spells it with the axis' names, for the message.
arma::uword checked_out_extent(const char* fn, const char* axis, const char* formula, long long n, long long kernel,
                               long long stride, long long pad_lo, long long pad_hi, long long dilation,
                               long long op) {
    const long long out = (n - 1) * stride - pad_lo - pad_hi + dilation * (kernel - 1) + op + 1;
    if (out < 1)
        fail(fn, ": the output ", axis, " ", formula, " = (", n, "-1)*", stride, " - ", pad_lo, " - ", pad_hi, " + ",
             dilation, "*(", kernel, "-1) + ", op, " + 1 = ", out,
             " must be >= 1: the padding crops away more than the scatter writes");
    return static_cast<arma::uword>(out);
}

}  // namespace

ConvTranspose2dShape conv_transpose2d_shape(const char* fn, const Shape4& x, const Shape4& w,
                                            const std::optional<arma::vec>& b, const ConvTranspose2dParams& p) {
    if (x.size() == 0) fail(fn, ": x has shape ", x, "; every dimension must be >= 1");
    if (w.size() == 0) fail(fn, ": w has shape ", w, "; every dimension must be >= 1");
    if (p.groups < 1) fail(fn, ": groups must be >= 1, got ", p.groups);
    const arma::uword groups = static_cast<arma::uword>(p.groups);
    if (x.c % groups != 0) fail(fn, ": groups = ", groups, " does not divide the input channels C = ", x.c);
    if (w.n != x.c)
        fail(fn, ": w has shape ", w, " but x has C = ", x.c,
             " channels; conv_transpose2d's w is (C, F/groups, K_h, K_w), input channels first");
    const arma::uword F = w.c * groups;  // F/groups output channels per group, F divisible by construction
    if (b && b->n_elem != F)
        fail(fn, ": b has ", b->n_elem, " elements but there are F = ", w.c, "*", groups, " = ", F,
             " output channels (w.c * groups)");
    require_at_least(fn, "stride_h", p.stride_h, 1);
    require_at_least(fn, "stride_w", p.stride_w, 1);
    require_at_least(fn, "dilation_h", p.dilation_h, 1);
    require_at_least(fn, "dilation_w", p.dilation_w, 1);
    require_at_least(fn, "padding top", p.pad.top, 0);
    require_at_least(fn, "padding bottom", p.pad.bottom, 0);
    require_at_least(fn, "padding left", p.pad.left, 0);
    require_at_least(fn, "padding right", p.pad.right, 0);
    check_output_padding(fn, "h", p.output_padding_h, p.stride_h, p.dilation_h);
    check_output_padding(fn, "w", p.output_padding_w, p.stride_w, p.dilation_w);
    const arma::uword H_out =
        checked_out_extent(fn, "height", "(H-1)s_h - p_top - p_bottom + d_h(K_h-1) + output_padding_h + 1", x.h, w.h,
                           p.stride_h, p.pad.top, p.pad.bottom, p.dilation_h, p.output_padding_h);
    const arma::uword W_out =
        checked_out_extent(fn, "width", "(W-1)s_w - p_left - p_right + d_w(K_w-1) + output_padding_w + 1", x.w, w.w,
                           p.stride_w, p.pad.left, p.pad.right, p.dilation_w, p.output_padding_w);
    const Conv2dParams conv{p.stride_h, p.stride_w, p.pad, p.dilation_h, p.dilation_w, p.groups};
    const Shape4 out_shape{x.n, F, H_out, W_out};
    // (U3): conv2d on a tensor shaped like out has H + floor(op_h / s_h) rows; conv2d_shape validates it again.
    const Conv2dShape c = conv2d_shape(fn, out_shape, w, std::nullopt, conv);
    return {x.c / groups, w.c, H_out + p.pad.top + p.pad.bottom, W_out + p.pad.left + p.pad.right, out_shape, conv,
            c.out_shape};
}

namespace {

// Validates the backward's inputs: the forward's shapes, and dout shaped like the output.
ConvTranspose2dShape backward_shape(const char* fn, const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                    const ConvTranspose2dParams& p) {
    const ConvTranspose2dShape s = conv_transpose2d_shape(fn, x.shape(), w.shape(), std::nullopt, p);
    if (!(dout.shape() == s.out_shape))
        fail(fn, ": dout has shape ", dout.shape(), " but the output shape is ", s.out_shape);
    return s;
}

void add_bias(Tensor4& out, const std::optional<arma::vec>& b) {
    if (!b) return;
    for (arma::uword n = 0; n < out.n(); ++n)
        for (arma::uword f = 0; f < out.c(); ++f) out.plane(n, f) += (*b)(f);
}

// E of (U5): t followed by zero rows and columns up to `shape` (the extra windows conv2d has when op >= s).
Tensor4 zero_extend(const Tensor4& t, const Shape4& shape) {
    if (t.shape() == shape) return t;
    Tensor4 e(shape);
    for (arma::uword n = 0; n < t.n(); ++n)
        for (arma::uword c = 0; c < t.c(); ++c) e.plane(n, c).submat(0, 0, t.h() - 1, t.w() - 1) = t.plane(n, c);
    return e;
}

// E^T of (U6): the first h rows and w columns of every plane of t.
Tensor4 keep_first(const Tensor4& t, arma::uword h, arma::uword w) {
    if (t.h() == h && t.w() == w) return t;
    Tensor4 k(t.n(), t.c(), h, w);
    for (arma::uword n = 0; n < t.n(); ++n)
        for (arma::uword c = 0; c < t.c(); ++c) k.plane(n, c) = t.plane(n, c).submat(0, 0, h - 1, w - 1);
    return k;
}

}  // namespace

// [conv_transpose2d_forward]
Tensor4 conv_transpose2d_forward(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                                 const ConvTranspose2dParams& p) {
    const ConvTranspose2dShape s = conv_transpose2d_shape("conv_transpose2d_forward", x.shape(), w.shape(), b, p);
    // x is (N, C, H, W), w is (C, F/G, K_h, K_w); out_p is (N, F, H_p, W_p), out is (N, F, H_out, W_out).
    // (U1): every input pixel writes a copy of its filters, scaled by its value, at (h s + u d, w s + v d) of the
    // uncropped output out_p, (N, F, H_p, W_p). Copies overlap when s < d(K-1)+1, hence +=.
    Tensor4 out_p(x.n(), s.out_shape.c, s.padded_h, s.padded_w);  // the last op rows stay zero
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c) {
            const arma::uword f0 = (c / s.c_group) * s.f_group;  // first output channel of c's group
            for (arma::uword h = 0; h < x.h(); ++h)
                for (arma::uword ww = 0; ww < x.w(); ++ww) {
                    const double value = x.at(n, c, h, ww);
                    for (arma::uword fl = 0; fl < s.f_group; ++fl)
                        for (arma::uword u = 0; u < w.h(); ++u)
                            for (arma::uword v = 0; v < w.w(); ++v)
                                out_p.at(n, f0 + fl, h * p.stride_h + u * p.dilation_h,
                                         ww * p.stride_w + v * p.dilation_w) += w.at(c, fl, u, v) * value;
                }
        }
    // (U2): crop p_top, p_bottom, p_left, p_right, the backward of padding (P2), then add the bias.
    Tensor4 out = pad2d_backward(out_p, p.pad).dx;
    add_bias(out, b);
    return out;
}
// [conv_transpose2d_forward]

// [conv_transpose2d_forward_adjoint]
Tensor4 conv_transpose2d_forward_adjoint(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                                         const ConvTranspose2dParams& p) {
    const ConvTranspose2dShape s =
        conv_transpose2d_shape("conv_transpose2d_forward_adjoint", x.shape(), w.shape(), b, p);
    // x is (N, C, H, W), w is (C, F/G, K_h, K_w); out is (N, F, H_out, W_out).
    // (U5): a conv2d of an input y shaped like out, with w as its weight (C filters over F/G channels each), has an
    // output shaped conv_out_shape, x's shape plus floor(op/s) rows and columns. Its dx map, fed dout := E x, is
    // conv_transpose2d. The dx map reads y's shape, not its values, so y is zero.
    const Tensor4 y(s.out_shape);
    Tensor4 out = conv2d_backward(zero_extend(x, s.conv_out_shape), y, w, s.conv).dx;
    add_bias(out, b);
    return out;
}
// [conv_transpose2d_forward_adjoint]

// [conv_transpose2d_backward]
ConvTranspose2dGrads conv_transpose2d_backward(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                               const ConvTranspose2dParams& p) {
    const ConvTranspose2dShape s = backward_shape("conv_transpose2d_backward", dout, x, w, p);
    // dout is (N, F, H_out, W_out); dx is (N, C, H, W), dw is (C, F/G, K_h, K_w), db is (F).
    // forward (U5): out = conv2d's dx map applied to E x, linear in x and in w.
    // term 1, (U6): dx = E^T conv2d(dout, w), the rows past H (conv2d's extra windows when op >= s) dropped.
    const Tensor4 dx = keep_first(conv2d_forward_fast(dout, w, std::nullopt, s.conv), x.h(), x.w());
    // term 2, (U7): conv2d's dw map with dout in the input's place and E x in the upstream gradient's.
    const Tensor4 dw = conv2d_backward(zero_extend(x, s.conv_out_shape), dout, w, s.conv).dw;
    return {dx, dw, bias_gradient(dout)};  // term 3, (U8): the same sum as conv2d's (C5)
}
// [conv_transpose2d_backward]

// [conv_transpose2d_backward_scatter]
ConvTranspose2dGrads conv_transpose2d_backward_scatter(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                                       const ConvTranspose2dParams& p) {
    const ConvTranspose2dShape s = backward_shape("conv_transpose2d_backward_scatter", dout, x, w, p);
    // dout is (N, F, H_out, W_out); dx is (N, C, H, W), dw is (C, F/G, K_h, K_w), db is (F).
    const long long H_out = dout.h(), W_out = dout.w();
    Tensor4 dx(x.shape()), dw(w.shape());
    for (arma::uword n = 0; n < x.n(); ++n)
        for (arma::uword c = 0; c < x.c(); ++c) {
            const arma::uword f0 = (c / s.c_group) * s.f_group;
            for (arma::uword h = 0; h < x.h(); ++h)
                for (arma::uword ww = 0; ww < x.w(); ++ww)
                    for (arma::uword fl = 0; fl < s.f_group; ++fl)
                        for (arma::uword u = 0; u < w.h(); ++u)
                            for (arma::uword v = 0; v < w.w(); ++v) {
                                // forward: out_p[n, f0+f', hs+ud, ws+vd] += w[c,f',u,v] x[n,c,h,w], then the crop
                                // out[n,f,i,j] = out_p[n,f,i+p_top,j+p_left]: the term lands on output (i, j),
                                const long long i = (long long)(h * p.stride_h + u * p.dilation_h) - p.pad.top;
                                const long long j = (long long)(ww * p.stride_w + v * p.dilation_w) - p.pad.left;
                                if (i < 0 || i >= H_out || j < 0 || j >= W_out) continue;  // or is cropped away
                                const double d = dout.at(n, f0 + fl, i, j);
                                dx.at(n, c, h, ww) += w.at(c, fl, u, v) * d;  // term 1
                                dw.at(c, fl, u, v) += x.at(n, c, h, ww) * d;  // term 2
                            }
        }
    // term 3: d out[n,f,i,j] / d b[f] = 1
    arma::vec db(dout.c(), arma::fill::zeros);
    for (arma::uword n = 0; n < dout.n(); ++n)
        for (arma::uword f = 0; f < dout.c(); ++f)
            for (arma::uword i = 0; i < dout.h(); ++i)
                for (arma::uword j = 0; j < dout.w(); ++j) db(f) += dout.at(n, f, i, j);
    return {dx, dw, db};
}
// [conv_transpose2d_backward_scatter]

}  // namespace cnnbp
