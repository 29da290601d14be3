"""The Conv2D layer of conv2d.py, vectorized: no Python loop over pixels.

Same contract, same formulas (see conv2d.py). The loop over output pixels becomes matrix
products by laying every window out as a column ("im2col"):

    cols:  (k*k*C + 1, columns)   one column per window; rows (a, b, c) its values, last row 1
    out  = [weights | bias] @ cols      (F, k*k*C + 1) @ (k*k*C + 1, columns) -> (F, columns)

The bias is the weight of an input that is always 1 (the last row of cols): the product
adds it, and in backward the same product gives d_bias next to d_weights.

Any vectorized im2col passes the tests. The textbook one takes every window as a view
(np.lib.stride_tricks.sliding_window_view), copies them into cols (N, C*k*k, H'*W') and
does col2im as k*k strided additions; on the benchmark's batch it takes about three times
this file's time, well within the speed test's 10x. The layout below is what makes this one fast: every copy and every
addition becomes one long slice.

The flat layout. A chunk of n examples lies in one flat row: channel after channel, and in
each channel the n images one after another, each in a block of R x L values, the image in
its top-left H x W corner and zeros elsewhere (L >= W + p, R >= H + p; see Layout). Those
zeros are the padding, shared by neighbours: in the flat row, the zeros after an image row
are both its right padding and the next row's left padding, and the zero rows at the
bottom of a block are also the top padding of the next block (p*L + p zeros before the
first block pad the first). So the padded image of block number beta (= c*n + e) has its
corner (the first padding value) at position beta*R*L of the row, and with M = R*L/s,
window (i, j) of it starts at beta*R*L + s*i*L + s*j = s*(beta*M + i*L + j): it is column
t = e*M + i*L + j of channel c, and its value at kernel offset (a, b) is o = a*L + b
further on. The rows (a, b, c) of cols, over every column t and every channel c at once,
are ONE slice of the row:

    cols[rows (a, b, :)] = x_row[o : o + s*C*n*M : s] as (C, n*M)          o = a*L + b

k*k slices build cols, at any stride, with no index arithmetic per pixel. The price: the
columns with j >= W' or i >= H' are windows that run off the image's right or bottom edge
(into the next row, or block). They are computed and thrown away (out keeps i < H',
j < W'), and get a zero gradient in backward. On the benchmark's 32x32 images with padding
1 that is 33*33 = 1089 columns per example for 1024 windows (6% more arithmetic); at
stride s, about s times as many columns as windows.

Backward, chunk by chunk, with the same cols:

    g_t             = d_out as (n*M, F), zero on the thrown-away columns
    [d_weights | d_bias] = sum over chunks of (cols @ g_t).T          (F, k*k*C + 1)
    d_cols          = weights.T @ g_t.T                                (k*k*C, n*M)

and col2im sends d_cols back through the same k*k slices, added: windows overlap, so a
pixel collects the sum of what every window over it sends (+=):

    d_row[o : o + s*C*n*M : s] += d_cols[rows (a, b, :)]

Why it is fast. Measured on the benchmark's batch (64x8x32x32, 16 3x3 filters, padding 1,
one BLAS thread; `make bench`, docs/benchmarks.md), where forward + backward went from 28 ms
(the 2-D im2col of sliding_window_view) to 15-16 ms (34-39% of the matmul peak, in five runs):
- Chunks: a chunk's cols stay within CACHE_BYTES, in the CPU's cache from the copy through
  the three products (cols for the whole batch, 41 MB, would come from main memory). On
  the benchmark a chunk is one example; on 8x8 digits with padding 1, 161.
- Products of at most SMALL_PRODUCT multiply-adds (column_blocks): OpenBLAS then skips
  copying its operands into buffers of its own; the step took 1.2x as long with each
  product on all 1089 columns of an example at once.
- At stride 1 every slice is contiguous, and NumPy copies and adds long runs. The 2-D col2im
  (one strided slice (C, H', W') per offset) cost 7 ms of the 28: NumPy adds into strided
  slices through a buffer, 3-4x slower per value than into contiguous ones.
- The bias rides in the product (the row of ones) instead of a pass over out, and d_bias
  comes out of the d_weights product.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

import conv2d

# A chunk's cols stay within this (most CPUs' per-core cache holds 1 MB or more): on the
# benchmark's batch one example's cols take 0.64 MB; on 8x8 digits with padding 1, 6.5 kB.
CACHE_BYTES = 2**20

# OpenBLAS (NumPy's BLAS; its SkylakeX kernels, seen with perf) multiplies a product of at
# most 100**3 multiply-adds (M*N*K) with kernels that read both operands where they lie; a
# larger one first copies ("packs") them into buffers of its own and zeroes its output. On
# products this skinny (16 rows on the benchmark) the copies cost more than they save. Where
# BLAS has no such kernels, the blocks only cost a few more calls.
SMALL_PRODUCT = 100**3


class Layout(NamedTuple):
    """The flat layout (module docstring) for input H x W, kernel k, stride s, padding p."""

    h: int
    w: int
    s: int
    p: int
    out_h: int  # H' = (H + 2p - k) // s + 1
    out_w: int  # W' = (W + 2p - k) // s + 1
    rows: int  # R: an image's block is R x L; R >= H + p (bottom padding), R >= s*H' (M >= H'*L)
    width: int  # L: W + p (right padding) rounded up to a multiple of s, so that s divides R*L
    columns: int  # M = R*L / s, the columns of cols per example (windows and thrown-away ones)
    offsets: tuple[int, ...]  # o = a*L + b for each kernel offset (a, b), in row order
    head: int  # p*L + p zeros before the first block: its top and left padding
    tail: int  # zeros after the last block: its last windows read up to max(o) further

    @classmethod
    def of(cls, h: int, w: int, k: int, s: int, p: int) -> Layout:
        out_h, out_w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        rows, width = max(h + p, s * out_h), -(-(w + p) // s) * s
        offsets = tuple(a * width + b for a in range(k) for b in range(k))
        return cls(h, w, s, p, out_h, out_w, rows, width, columns=rows * width // s, offsets=offsets,
                   head=p * width + p, tail=offsets[-1])

    def blocks(self, row: np.ndarray, n: int) -> np.ndarray:
        """The (n, C, R, L) view of the blocks of a chunk's flat row (head + C*n*R*L + tail,)."""
        return row[self.head:row.size - self.tail].reshape(-1, n, self.rows, self.width).transpose(1, 0, 2, 3)

    def valid(self, flat: np.ndarray) -> np.ndarray:
        """The (..., H', W') view of the columns that are windows, of flat (..., M)."""
        grid = flat[..., :self.out_h * self.width].reshape(flat.shape[:-1] + (self.out_h, self.width))
        return grid[..., :self.out_w]


def chunks(n: int, bytes_per_example: int) -> list[slice]:
    """The n examples in chunks of cols within CACHE_BYTES (at least one example each)."""
    per_chunk = max(1, CACHE_BYTES // bytes_per_example)
    return [slice(start, min(start + per_chunk, n)) for start in range(0, n, per_chunk)]


def column_blocks(columns: int, per_column: int) -> list[slice]:
    """0..columns in as few near-equal blocks as keep per_column * (a block's columns), the
    multiply-adds of a product on one block, within about SMALL_PRODUCT."""
    count = -(-columns * per_column // SMALL_PRODUCT)
    size = -(-columns // count)
    return [slice(start, start + size) for start in range(0, columns, size)]


def flatten(x: np.ndarray, layout: Layout) -> np.ndarray:
    """A chunk x (n, C, H, W) as its flat row: shape (head + C*n*R*L + tail,), a new array."""
    # TODO 1. row = zeros (layout.head + C*n*R*L + layout.tail), R = layout.rows, L = layout.width.
    # TODO 2. In layout.blocks(row, n), the (n, C, R, L) view of its blocks, x goes in the
    #         top-left H x W corner of each; the rest stays 0 (the shared padding).
    # BEGIN SOLUTION
    n, c, h, w = x.shape
    row = np.zeros(layout.head + c * n * layout.rows * layout.width + layout.tail)
    layout.blocks(row, n)[:, :, :h, :w] = x
    return row
    # END SOLUTION


def im2col(row: np.ndarray, layout: Layout, cols: np.ndarray) -> None:
    """Write a chunk's windows (its flat row) into cols[:-1] (k*k*C, n*M), rows (a, b, c)."""
    # TODO For each kernel offset number ab and its o = layout.offsets[ab]: the C rows
    #      cols[ab*C : (ab+1)*C] are the slice row[o : o + s*C*n*M : s] viewed as (C, n*M)
    #      (C = (len(cols) - 1) // (k*k), n*M = cols.shape[1]). k*k copies, no other loop.
    # BEGIN SOLUTION
    c, columns = (len(cols) - 1) // len(layout.offsets), cols.shape[1]
    span = layout.s * c * columns
    for ab, o in enumerate(layout.offsets):
        cols[ab * c:(ab + 1) * c] = row[o:o + span:layout.s].reshape(c, columns)
    # END SOLUTION


def col2im(d_cols: np.ndarray, layout: Layout, d_row: np.ndarray) -> None:
    """Add a chunk's column gradients d_cols (k*k*C, n*M) onto its flat row d_row."""
    # TODO The same k*k slices as im2col, the other way: d_row[o : o + s*C*n*M : s] gets the
    #      C rows of offset number ab, flattened. Windows overlap: accumulate (+=).
    # BEGIN SOLUTION
    per_offset = d_cols.reshape(len(layout.offsets), -1)  # (k*k, C*n*M): offset ab's C rows
    span = layout.s * per_offset.shape[1]
    for ab, o in enumerate(layout.offsets):
        d_row[o:o + span:layout.s] += per_offset[ab]
    # END SOLUTION


def new_cols(rows: int, columns: int) -> np.ndarray:
    """An uninitialised cols (rows, columns) but for its last row: ones (the bias's input)."""
    cols = np.empty((rows, columns))
    cols[-1] = 1.0
    return cols


class Conv2D(conv2d.Conv2D):
    """conv2d.Conv2D with the same constructor, attributes and contract (weights
    (out_channels, in_channels, k, k), bias (out_channels,), d_weights, d_bias), and a
    forward and backward without a Python loop over pixels.
    """

    def weights_2d(self) -> np.ndarray:
        """weights as (F, k*k*C), columns in cols' row order (a, b, c)."""
        return self.weights.transpose(0, 2, 3, 1).reshape(self.out_channels, -1)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Cross-correlate every filter with every example, as matrix products.

        Args:
            x: shape (N, C, H, W) with C == in_channels and H + 2p, W + 2p >= k.

        Returns:
            shape (N, F, H', W'), H' = (H + 2p - k) // s + 1, W' = (W + 2p - k) // s + 1.
        """
        # TODO 1. Keep for backward: layout = Layout.of(H, W, k, s, p); the chunks of
        #         chunks(N, 8 * (k*k*C + 1) * M); and each chunk's flat row flatten(x[chunk],
        #         layout) (new arrays: the caller changing x later changes nothing here).
        # TODO 2. weights_ext = [weights_2d() | bias], (F, k*k*C + 1); out = empty (N, F, M);
        #         one cols = new_cols(k*k*C + 1, n*M) for the largest chunk (n examples).
        # TODO 3. For each chunk, on the first n*M columns of cols: im2col(row, layout, cols);
        #         per_example = cols as (k*k*C + 1, n, M), transposed to (n, k*k*C + 1, M); for
        #         each q in column_blocks(M, weights_ext.size), a slice of the M columns:
        #         out[chunk, :, q] = weights_ext @ per_example[:, :, q] (one product per example).
        # TODO 4. Return layout.valid(out): the (N, F, H', W') columns that are windows.
        # BEGIN SOLUTION
        n, c, h, w = x.shape
        self.layout = layout = Layout.of(h, w, self.kernel_size, self.stride, self.padding)
        weights_ext = np.column_stack([self.weights_2d(), self.bias])
        self.chunks = chunks(n, weights_ext.shape[1] * layout.columns * x.itemsize)
        self.flat_rows = [flatten(x[chunk], layout) for chunk in self.chunks]
        out = np.empty((n, self.out_channels, layout.columns))
        # One cols for every chunk (the last may use only its first columns): a new one each
        # time would start cold in the cache.
        largest = (self.chunks[0].stop - self.chunks[0].start) * layout.columns
        all_cols = new_cols(weights_ext.shape[1], largest)
        blocks = column_blocks(layout.columns, weights_ext.size)
        for chunk, row in zip(self.chunks, self.flat_rows):
            cols = all_cols[:, :(chunk.stop - chunk.start) * layout.columns]
            im2col(row, layout, cols)
            per_example = cols.reshape(len(cols), -1, layout.columns).transpose(1, 0, 2)
            for q in blocks:
                np.matmul(weights_ext, per_example[:, :, q], out=out[chunk, :, q])
        return layout.valid(out)
        # END SOLUTION

    def backward(self, d_out: np.ndarray, learn_rate: float) -> np.ndarray:
        """Gradients for weights, bias and input as matrix products, then one SGD step.

        Args:
            d_out: shape (N, F, H', W'), dL/d(output).
            learn_rate: the SGD step size.

        Returns:
            d_x: shape (N, C, H, W), computed with the weights used in forward.
        Sets self.d_weights (F, C, k, k) and self.d_bias (F,), then
        weights -= learn_rate * d_weights and bias -= learn_rate * d_bias.
        """
        # TODO 1. d_ext = zeros (k*k*C + 1, F); d_x = empty (N, C, H, W). Buffers for every
        #         chunk, sized for the largest (n examples): all_g_t = zeros (n*M, F), cols as
        #         in forward, d_cols = empty (k*k*C, n*M).
        # TODO 2. For each chunk and its row (n examples), on the first n*M columns (rows of
        #         all_g_t): layout.valid(g_t.T as (F, n, M)) = d_out[chunk] transposed to
        #         (F, n, H', W') (the thrown-away columns stay 0); im2col(row, layout, cols);
        #         for each q in column_blocks(n*M, d_ext.size): d_ext += cols[:, q] @ g_t[q]
        #         and d_cols[:, q] = weights_2d().T @ g_t[q].T.
        # TODO 3. Still per chunk: d_row = zeros like row; col2im(d_cols, layout, d_row);
        #         d_x[chunk] = the top-left H x W corner of each block of layout.blocks(d_row, n).
        # TODO 4. d_bias = d_ext's last row; d_weights = its other rows transposed, (F, k*k*C),
        #         as (F, k, k, C), then transposed to (F, C, k, k). Update weights and bias.
        # BEGIN SOLUTION
        layout = self.layout
        f, c, k = self.out_channels, self.in_channels, self.kernel_size
        weights_2d = self.weights_2d()
        d_ext = np.zeros((k * k * c + 1, f))
        d_x = np.empty((d_out.shape[0], c, layout.h, layout.w))
        largest = (self.chunks[0].stop - self.chunks[0].start) * layout.columns
        # d_out with one row per column of cols: cols @ g_t is then a product of two
        # row-major matrices, 1.4x faster here than cols @ (F, n*M).T.
        all_g_t = np.zeros((largest, f))
        all_cols = new_cols(k * k * c + 1, largest)
        all_d_cols = np.empty((k * k * c, largest))
        for chunk, row in zip(self.chunks, self.flat_rows):
            n = chunk.stop - chunk.start
            g_t = all_g_t[:n * layout.columns]
            cols, d_cols = all_cols[:, :n * layout.columns], all_d_cols[:, :n * layout.columns]
            layout.valid(g_t.T.reshape(f, n, layout.columns))[...] = d_out[chunk].transpose(1, 0, 2, 3)
            im2col(row, layout, cols)
            for q in column_blocks(n * layout.columns, d_ext.size):
                d_ext += cols[:, q] @ g_t[q]
                np.matmul(weights_2d.T, g_t[q].T, out=d_cols[:, q])
            d_row = np.zeros(row.shape)
            col2im(d_cols, layout, d_row)
            d_x[chunk] = layout.blocks(d_row, n)[:, :, :layout.h, :layout.w]
        self.d_bias = d_ext[-1].copy()
        self.d_weights = d_ext[:-1].T.reshape(f, k, k, c).transpose(0, 3, 1, 2).copy()
        self.weights = self.weights - learn_rate * self.d_weights
        self.bias = self.bias - learn_rate * self.d_bias
        return d_x
        # END SOLUTION
