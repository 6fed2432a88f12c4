/// \file
/// The 2-D transposed convolution (PyTorch's `conv_transpose2d`), with stride, asymmetric padding, output padding,
/// dilation, groups and an optional bias: the adjoint of conv2d in its input. Its forward in two forms (the scatter
/// definition and conv2d's dx map) and its backward in two forms (conv2d's forward and dw maps, and the derivative of
/// the scatter). Derivation: \ref conv_transpose2d "Transposed convolution".
#pragma once

#include "cnnbp/core/geometry.hpp"
#include "cnnbp/core/tensor.hpp"
#include "cnnbp/layers/conv2d.hpp"

#include <optional>

namespace cnnbp {

/// The hyper-parameters of conv_transpose2d. The kernel size comes from the shape of w. Stride, padding, dilation
/// and groups mean what they mean for the conv2d whose adjoint this is, \ref eq_U5 "(U5)".
struct ConvTranspose2dParams {
    int stride_h = 1;  ///< s_h, the step between the places two neighbouring input rows write to (>= 1)
    int stride_w = 1;  ///< s_w, the step between the places two neighbouring input columns write to (>= 1)
    /// Cropped from each side of the scattered output, \ref eq_U2 "(U2)" (each >= 0). The sides may differ;
    /// PyTorch takes one padding per axis, the same at both ends.
    Padding pad;
    /// op_h, zero rows added below the scattered output before the crop, to pick one of the s_h heights that
    /// conv2d maps to H, \ref eq_U3 "(U3)". 0 <= op_h < max(s_h, d_h), PyTorch's rule.
    int output_padding_h = 0;
    int output_padding_w = 0;  ///< op_w, the same for the columns, \ref eq_U3 "(U3)": 0 <= op_w < max(s_w, d_w)
    int dilation_h = 1;        ///< d_h, the spacing of the kernel's rows on the output (>= 1)
    int dilation_w = 1;        ///< d_w, the spacing of the kernel's columns on the output (>= 1)
    /// G: C and F are split into G blocks; input channel c writes only to its block's output channels,
    /// \ref eq_U1 "(U1)" and \ref eq_K1 "(K1)".
    int groups = 1;
};

/// Gradients of conv_transpose2d: the gradient of <out, dout>, \ref eq_N1 "(N1)", with respect to each input.
struct ConvTranspose2dGrads {
    Tensor4 dx;    ///< (N, C, H, W)
    Tensor4 dw;    ///< (C, F/groups, K_h, K_w)
    arma::vec db;  ///< (F); the gradient a bias would get, reported whether or not the forward had one
};

/// Everything conv_transpose2d derives from the shapes of x and w and the parameters, after validating them.
struct ConvTranspose2dShape {
    arma::uword c_group;     ///< input channels per group, C / groups
    arma::uword f_group;     ///< output channels per group, F / groups (the second extent of w)
    arma::uword padded_h;    ///< H_p = (H-1) s_h + d_h (K_h-1) + 1 + op_h, the rows scattered into, \ref eq_U1 "(U1)"
    arma::uword padded_w;    ///< W_p, the same for the columns
    Shape4 out_shape;        ///< (N, F, H_out, W_out), H_out = H_p - p_top - p_bottom, \ref eq_U2 "(U2)"
    Conv2dParams conv;       ///< the same stride, padding, dilation and groups, as conv2d's, \ref eq_U5 "(U5)"
    /// The shape of conv2d applied to a tensor shaped like out: (N, C, H + floor(op_h / s_h), W + floor(op_w / s_w)),
    /// \ref eq_U3 "(U3)"; it is x's shape exactly when op < s on both axes.
    Shape4 conv_out_shape;
};

/// Validates x (N, C, H, W), w (C, F/groups, K_h, K_w), the optional bias b (F) and the parameters, and returns the
/// derived geometry, \ref eq_U2 "(U2)" and \ref eq_U3 "(U3)". Throws cnnbp::Error naming `fn`, the parameter and the
/// numbers: a stride or dilation < 1, a padding or output padding < 0, an output padding not smaller than the stride
/// or the dilation, groups not dividing C, w.n != C, a bias not of F elements, or an output height or width < 1.
ConvTranspose2dShape conv_transpose2d_shape(const char* fn, const Shape4& x, const Shape4& w,
                                            const std::optional<arma::vec>& b, const ConvTranspose2dParams& p);

/// Forward, by the definition, the scatter \ref eq_U1 "(U1)" then the crop \ref eq_U2 "(U2)":
/// out_p[n, g F_g + f', h s_h + u d_h, w s_w + v d_w] += w[c,f',u,v] x[n,c,h,w] with g = c / C_g the group of
/// channel c, then out[n,f,i,j] = b[f] + out_p[n, f, i + p_top, j + p_left]. Equivalently the full convolution of
/// the stride-dilated x with the dilation-dilated filter, \ref eq_U4 "(U4)".
///
/// x is (N, C, H, W), w is (C, F/groups, K_h, K_w) as in PyTorch (input channels first), b is (F) or absent;
/// out is (N, F, H_out, W_out) with H_out = (H-1) s_h - p_top - p_bottom + d_h (K_h-1) + op_h + 1.
Tensor4 conv_transpose2d_forward(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                                 const ConvTranspose2dParams& p);

/// Forward as conv2d's dx map, \ref eq_U5 "(U5)": out = conv2d_backward(x, y, w).dx + b for any y of out's shape, with
/// the same stride, padding, dilation and groups, and x extended by zero rows (columns) when op >= s. The fast path.
/// Same shapes and result as conv_transpose2d_forward().
Tensor4 conv_transpose2d_forward_adjoint(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                                         const ConvTranspose2dParams& p);

/// Backward through conv2d's own maps: dx = the first H x W of conv2d_forward(dout, w), \ref eq_U6 "(U6)";
/// dw = conv2d's dw map with the roles swapped, conv2d_backward(x, dout, w).dw (x zero-extended when op >= s),
/// \ref eq_U7 "(U7)"; db[f] = sum of dout[n,f,i,j] over n, i, j, \ref eq_U8 "(U8)".
///
/// Backward means the gradient of <out, dout>, \ref eq_N1 "(N1)". dout is (N, F, H_out, W_out); x and w are the
/// forward's inputs. The bias does not enter the gradients, so it is not an argument. The oracle's backward.
ConvTranspose2dGrads conv_transpose2d_backward(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                               const ConvTranspose2dParams& p);

/// Backward, the derivative of the scatter \ref eq_U1 "(U1)" read at the place each term was written: with dout_p
/// the zero-padded dout and (a, b) = (h s_h + u d_h, w s_w + v d_w),
/// dx[n,c,h,w] += w[c,f',u,v] dout_p[n, g F_g + f', a, b] \ref eq_U6 "(U6)",
/// dw[c,f',u,v] += x[n,c,h,w] dout_p[n, g F_g + f', a, b] \ref eq_U7 "(U7)", db[f] += dout[n,f,i,j] \ref eq_U8 "(U8)".
/// Written without conv2d.
///
/// Same contract as conv_transpose2d_backward().
ConvTranspose2dGrads conv_transpose2d_backward_scatter(const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                                       const ConvTranspose2dParams& p);

}  // namespace cnnbp
