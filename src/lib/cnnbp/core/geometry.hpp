/// \file
/// Window geometry shared by every sliding-window layer: kernel, stride, padding, dilation,
/// and the output-size formula \ref eq_G1 "(G1)".
#pragma once

#include <armadillo>
#include <iosfwd>

namespace cnnbp {

/// Zero padding on each of the four sides, in pixels. Sides may differ (asymmetric padding).
struct Padding {
    int top = 0;     ///< rows of zeros above each plane
    int bottom = 0;  ///< rows of zeros below each plane
    int left = 0;    ///< columns of zeros left of each plane
    int right = 0;   ///< columns of zeros right of each plane
    /// The same padding p on all four sides.
    static Padding all(int p) { return {p, p, p, p}; }
    /// Equal when all four sides are.
    bool operator==(const Padding&) const = default;
};

/// Prints padding as `(top=1,bottom=0,left=2,right=2)`.
std::ostream& operator<<(std::ostream& os, const Padding& p);

/// A sliding window over an H x W plane: kernel K, stride s, padding, dilation d, per axis.
///
/// A window at output position (i, j) covers the padded-input pixels
/// (i s_h + u d_h, j s_w + v d_w) for kernel offsets 0 <= u < K_h, 0 <= v < K_w, \ref eq_G0 "(G0)".
struct Window2d {
    int kernel_h = 1;    ///< K_h, taps down the rows
    int kernel_w = 1;    ///< K_w, taps along the columns
    int stride_h = 1;    ///< s_h
    int stride_w = 1;    ///< s_w
    Padding pad;         ///< zero padding on each side
    int dilation_h = 1;  ///< d_h
    int dilation_w = 1;  ///< d_w
    /// Pooling only: round the output size up, \ref eq_G3 "(G3)", keeping a last window that overhangs the
    /// padded input unless it would start in the bottom (right) padding.
    bool ceil_mode = false;

    /// A pooling window: kernel K_h x K_w with the stride equal to the kernel (the frameworks' default).
    static Window2d pooling(int kernel_h, int kernel_w) { return {kernel_h, kernel_w, kernel_h, kernel_w, {}, 1, 1}; }
};

/// The output height and width of a window sliding over an input.
struct OutputSize {
    arma::uword h = 0;  ///< H', the number of window positions down the rows
    arma::uword w = 0;  ///< W', the number of window positions along the columns
};

/// Output size along one axis, \ref eq_G1 "(G1)": floor((n + p_lo + p_hi - d(K - 1) - 1) / s) + 1.
/// Returns a value < 1 when not even one window fits; the caller decides how to report it.
/// The last window's last tap is at (n' - 1) s + d(K - 1); positions after it are in no window, \ref eq_G2 "(G2)".
/// With `ceil_mode`, \ref eq_G3 "(G3)": the division rounds up, and a last window that would start in the high
/// padding (at or after n + p_lo) is dropped.
long long output_size_1d(long long n, long long kernel, long long stride, long long pad_lo, long long pad_hi,
                         long long dilation, bool ceil_mode = false);

/// The output position i whose window puts tap u on padded position a = i s + u d, \ref eq_C6 "(C6)": a / s when
/// a >= 0 is a multiple of s and a / s < count (the number of windows), otherwise -1 (no window does).
long long window_at(long long a, int stride, arma::uword count);

/// The output positions along one axis whose tap lands on the input rather than in its padding: tap offset
/// `offset` = u d - p_lo puts position i on input index i s + offset, which lies in [0, n) exactly for i in
/// [first, last). The fast loops run over that range and skip the padding without a test per element.
struct TapRange {
    arma::uword first = 0;  ///< the first position inside the input
    arma::uword last = 0;   ///< one past the last (first == last: none)
};

/// The TapRange of tap offset `offset` for `count` positions of stride `stride` over an input of length n.
TapRange taps_inside(long long offset, int stride, arma::uword count, arma::uword n);

/// Tap (u, v) of a window sliding over an H x W input, \ref eq_G0 "(G0)": window (i, j) reads input pixel
/// (i s_h + row, j s_w + col), with row = u d_h - p_top and col = v d_w - p_left; that pixel is inside the input
/// exactly for i in `rows` and j in `cols`, and is padding for every other window.
struct Tap {
    long long row = 0;  ///< u d_h - p_top
    long long col = 0;  ///< v d_w - p_left
    TapRange rows;      ///< the windows i whose tap row is inside the input
    TapRange cols;      ///< the windows j whose tap column is inside the input
    /// Whether some window reads this tap inside the input.
    bool inside() const { return rows.first < rows.last && cols.first < cols.last; }
};

/// Tap (u, v) of window `g` with `o` windows over an H x W input.
Tap tap_at(const Window2d& g, const OutputSize& o, arma::uword H, arma::uword W, int u, int v);

/// Validates the window against an H x W input and returns the output size, \ref eq_G1 "(G1)".
///
/// Throws cnnbp::Error, naming `fn` and the offending parameter with its value, when the stride or
/// dilation is < 1, a padding or kernel is negative or zero, or the dilated window
/// d(K - 1) + 1 is larger than the padded input (so that the output would be empty).
OutputSize output_size(const char* fn, const Window2d& g, arma::uword H, arma::uword W);

/// output_size() with the further rules of pooling, \ref eq_G4 "(G4)": each padding at most half the kernel
/// (floor(K / 2), as PyTorch demands), and no window wholly in the padding (dilation can produce one even within
/// that limit). Throws cnnbp::Error naming `fn`, the parameter and the numbers.
OutputSize pool_output_size(const char* fn, const Window2d& g, arma::uword H, arma::uword W);

}  // namespace cnnbp
