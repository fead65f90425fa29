#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end tests of convolve-cli: runs the real binary on PNGs made here and
# checks its .npy and PNG output against a NumPy reference of tf.nn.conv2d,
# and that every failure is one "convolve-cli:" line with OUT left alone.
# Usage: test-cli.py CONVOLVE_CLI SAMPLE_PNG WRITE_IMAGE; prints TAP.

import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

CLI, SAMPLE, WRITE_IMAGE = sys.argv[1:4]
ENV = dict(os.environ, LC_ALL='C.UTF-8')
# Sanitizer test setups run the CLI several times slower and say how much
# (CVL_TEST_LATENCY_SCALE); its time limits grow with it.
TIME_SCALE = max(1, int(os.environ.get('CVL_TEST_LATENCY_SCALE', '1')))
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64)
LUMA = np.array([0.2989, 0.5870, 0.1140])

tests = tap.Tests()
test = tests.add


# -- PNG files without any imaging library -----------------------------------

def png_chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data)))


def png_bytes(pixels, size=None):
    """[H, W, 3 or 4] uint8 to PNG; `size` overrides the header's W, H."""
    height, width, channels = pixels.shape
    width, height = size or (width, height)
    rows = b''.join(b'\0' + row.tobytes() for row in pixels)
    header = struct.pack('>IIBBBBB', width, height, 8, {3: 2, 4: 6}[channels], 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', header)
            + png_chunk(b'IDAT', zlib.compress(rows)) + png_chunk(b'IEND', b''))


def write_png(path, pixels):
    with open(path, 'wb') as f:
        f.write(png_bytes(pixels))


def convert(path, kind):
    """The image re-saved by GdkPixbuf as `kind` (jpeg, bmp)."""
    out = os.path.splitext(path)[0] + '.' + kind
    subprocess.run([WRITE_IMAGE, path, out, kind], check=True)
    return out


def with_exif_orientation(jpeg_path, orientation):
    """A copy of a JPEG with an APP1 Exif segment holding only Orientation."""
    tiff = (b'MM\0\x2a' + struct.pack('>IH', 8, 1)
            + struct.pack('>HHIHH', 0x0112, 3, 1, orientation, 0) + struct.pack('>I', 0))
    body = b'Exif\0\0' + tiff
    data = open(jpeg_path, 'rb').read()
    out = jpeg_path.replace('.jpeg', f'-orientation-{orientation}.jpeg')
    with open(out, 'wb') as f:
        f.write(data[:2] + b'\xff\xe1' + struct.pack('>H', len(body) + 2) + body + data[2:])
    return out


def read_png(path):
    """8-bit RGB/RGBA non-interlaced PNG (what GdkPixbuf writes) to [H, W, C]."""
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    at, idat = 8, b''
    while True:
        length, kind = struct.unpack('>I4s', data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b'IHDR':
            width, height, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, body
            channels = 3 if colour == 2 else 4
        elif kind == b'IDAT':
            idat += body
        elif kind == b'IEND':
            break
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        row = np.zeros(stride, dtype=np.int32)
        for x in range(stride):
            a = row[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if kind == 0:
                pred = 0
            elif kind == 1:
                pred = a
            elif kind == 2:
                pred = b
            elif kind == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
            row[x] = (line[x] + pred) & 0xff
        out[y] = prev = row
    return out.reshape(height, width, channels).astype(np.uint8)


# -- the reference: tf.nn.conv2d semantics in a few lines of NumPy -----------

def reference(image, kernel, stride=(1, 1), dilation=(1, 1), padding='same',
              border='zero', flip=False, divisor=1.0, offset=0.0):
    """image [H, W, C] floats, kernel [kh, kw]; cross-correlation unless flip."""
    if flip:
        kernel = kernel[::-1, ::-1]
    pads, outs = [], []
    for n, k, s, d in zip(image.shape[:2], kernel.shape, stride, dilation):
        k_eff = (k - 1) * d + 1
        if padding == 'same':
            out = -(-n // s)
            total = max((out - 1) * s + k_eff - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            out = (n - k_eff) // s + 1
            pads.append((0, 0))
        outs.append(out)
    mode = {'zero': 'constant', 'clamp': 'edge', 'reflect': 'reflect', 'wrap': 'wrap'}[border]
    padded = np.pad(image, pads + [(0, 0)], mode=mode)
    result = np.zeros((outs[0], outs[1], image.shape[2]))
    for i in range(kernel.shape[0]):
        for j in range(kernel.shape[1]):
            y, x = i * dilation[0], j * dilation[1]
            result += kernel[i, j] * padded[y:y + (outs[0] - 1) * stride[0] + 1:stride[0],
                                            x:x + (outs[1] - 1) * stride[1] + 1:stride[1]]
    return result / divisor + offset


# -- running the CLI ---------------------------------------------------------

def run(*args):
    done = subprocess.run([CLI, *args], capture_output=True, env=ENV, timeout=120 * TIME_SCALE)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def run_ok(*args):
    code, out, err = run(*args)
    assert code == 0, f'exit {code}: {err.strip()}'
    return out, err


def apply_npy(tmp, image_path, *options):
    out = os.path.join(tmp, 'out.npy')
    run_ok('apply', *options, image_path, out)
    result = np.load(out)
    os.unlink(out)
    assert result.dtype == np.float32, result.dtype
    return result.astype(np.float64)


def random_image(tmp, height, width, channels=3, seed=1):
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, channels), dtype=np.uint8)
    path = os.path.join(tmp, f'random-{height}x{width}x{channels}.png')
    write_png(path, pixels)
    return path, pixels


def assert_close(actual, expected, atol=1e-5):
    assert actual.shape == expected.shape, f'shape {actual.shape} != {expected.shape}'
    worst = np.max(np.abs(actual - expected)) if actual.size else 0.0
    assert worst <= atol, f'max difference {worst:g} > {atol:g}'


# -- results -----------------------------------------------------------------

@test
def identity_reproduces_pixels(tmp):
    path, pixels = random_image(tmp, 5, 7)
    assert_close(apply_npy(tmp, path), pixels / 255.0, 1e-6)


@test
def sharpen_text_matches_reference(tmp):
    path, pixels = random_image(tmp, 9, 11)
    result = apply_npy(tmp, path, '--kernel', '0 -1 0; -1 5 -1; 0 -1 0')
    assert_close(result, reference(pixels / 255.0, SHARPEN))


@test
def sharpen_preset_matches_reference(tmp):
    path, pixels = random_image(tmp, 9, 11)
    assert_close(apply_npy(tmp, path, '--kernel', 'sharpen'), reference(pixels / 255.0, SHARPEN))


@test
def both_engines_match_reference(tmp):
    path, pixels = random_image(tmp, 13, 10)
    expected = reference(pixels / 255.0, SHARPEN, stride=(2, 3))
    for engine in ('naive', 'direct'):
        assert_close(apply_npy(tmp, path, '-k', 'sharpen', '-s', '2x3', '--engine', engine), expected)


@test
def even_kernel_flip_stride_dilation_borders(tmp):
    path, pixels = random_image(tmp, 12, 9, seed=2)
    kernel = np.array([[1, 2, 0], [-1, 0, 3]], dtype=np.float64)
    for border in ('zero', 'clamp', 'reflect', 'wrap'):
        for flip in (False, True):
            options = ['-k', '1 2 0; -1 0 3', '--border', border, '--stride', '2x1',
                       '--dilation', '1x2'] + (['--convolve'] if flip else [])
            expected = reference(pixels / 255.0, kernel, stride=(2, 1), dilation=(1, 2),
                                 border=border, flip=flip)
            assert_close(apply_npy(tmp, path, *options), expected)


@test
def valid_padding_with_divisor_and_offset(tmp):
    path, pixels = random_image(tmp, 10, 8, seed=3)
    kernel = np.arange(15, dtype=np.float64).reshape(3, 5) - 7
    text = '; '.join(' '.join(str(int(v)) for v in row) for row in kernel)
    result = apply_npy(tmp, path, '-k', text, '-p', 'valid', '--divisor', '1/4', '--offset', '-0.5')
    assert_close(result, reference(pixels / 255.0, kernel, padding='valid',
                                   divisor=0.25, offset=-0.5), 1e-4)


@test
def kernel_from_file(tmp):
    path, pixels = random_image(tmp, 6, 6, seed=4)
    kernel_path = os.path.join(tmp, 'blur.txt')
    with open(kernel_path, 'w') as f:
        f.write('1/16 2/16 1/16\n2/16 4/16 2/16\n1/16 2/16 1/16\n')
    blur = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16.0
    assert_close(apply_npy(tmp, path, '--kernel', kernel_path), reference(pixels / 255.0, blur))


@test
def gray_is_luma_then_conv(tmp):
    path, pixels = random_image(tmp, 7, 8, seed=5)
    luma = (pixels / 255.0) @ LUMA
    assert_close(apply_npy(tmp, path, '--gray'), luma, 1e-5)
    result = apply_npy(tmp, path, '--gray', '-k', 'sharpen')
    assert_close(result, reference(luma[:, :, None], SHARPEN)[:, :, 0], 1e-5)


@test
def stride_2_on_sample_is_226_by_150(tmp):
    assert apply_npy(tmp, SAMPLE, '-k', 'sharpen', '--stride', '2').shape == (150, 226, 3)


@test
def valid_on_sample_is_449_by_298(tmp):
    assert apply_npy(tmp, SAMPLE, '-k', 'sharpen', '--padding', 'valid').shape == (298, 449, 3)


@test
def sample_loads_as_its_pixels(tmp):
    out = os.path.join(tmp, 'copy.png')
    run_ok('apply', SAMPLE, out)
    original = read_png(SAMPLE)[:, :, :3]
    assert_close(apply_npy(tmp, SAMPLE), original / 255.0, 1e-6)
    assert np.array_equal(read_png(out), original)


@test
def png_identity_round_trip_is_exact(tmp):
    path, pixels = random_image(tmp, 6, 9, seed=6)
    out = os.path.join(tmp, 'out.png')
    run_ok('apply', path, out)
    assert np.array_equal(read_png(out), pixels)


@test
def png_clamps_sharpen(tmp):
    path, pixels = random_image(tmp, 8, 8, seed=7)
    out = os.path.join(tmp, 'out.png')
    run_ok('apply', '-k', 'sharpen', path, out)
    expected = np.clip(reference(pixels / 255.0, SHARPEN), 0, 1) * 255
    assert np.max(np.abs(read_png(out) - expected)) <= 1


@test
def png_keeps_alpha(tmp):
    path, pixels = random_image(tmp, 5, 6, channels=4, seed=8)
    out = os.path.join(tmp, 'out.png')
    run_ok('apply', path, out)
    assert np.array_equal(read_png(out), pixels)


@test
def jpeg_and_bmp_load(tmp):
    original = read_png(SAMPLE)[:, :, :3] / 255.0
    png_copy = os.path.join(tmp, 'sample.png')
    with open(png_copy, 'wb') as f:
        f.write(open(SAMPLE, 'rb').read())
    jpeg = apply_npy(tmp, convert(png_copy, 'jpeg'))
    assert jpeg.shape == original.shape and np.mean(np.abs(jpeg - original)) < 0.03
    assert_close(apply_npy(tmp, convert(png_copy, 'bmp')), original, 1e-6)


@test
def exif_orientation_is_applied(tmp):
    path, _ = random_image(tmp, 16, 24, seed=13)
    jpeg = convert(path, 'jpeg')
    upright = apply_npy(tmp, jpeg)
    # 6: the camera was turned clockwise, so the picture turns 90° clockwise.
    assert_close(apply_npy(tmp, with_exif_orientation(jpeg, 6)), np.rot90(upright, -1), 0)
    assert_close(apply_npy(tmp, with_exif_orientation(jpeg, 3)), upright[::-1, ::-1], 0)


@test
def opaque_alpha_is_dropped(tmp):
    path, pixels = random_image(tmp, 4, 4, channels=4, seed=9)
    pixels[:, :, 3] = 255
    write_png(path, pixels)
    assert apply_npy(tmp, path).shape == (4, 4, 3)


@test
def preset_map_is_the_default(tmp):
    path, _ = random_image(tmp, 8, 8, seed=10)
    outputs = {}
    for name, options in (('default', []), ('signed', ['--map', 'signed']),
                          ('clamp', ['--map', 'clamp'])):
        outputs[name] = os.path.join(tmp, f'{name}.png')
        run_ok('apply', '-k', 'edge', *options, path, outputs[name])
    assert np.array_equal(read_png(outputs['default']), read_png(outputs['signed']))
    assert not np.array_equal(read_png(outputs['default']), read_png(outputs['clamp']))


@test
def normalize_map_spans_full_range(tmp):
    path, _ = random_image(tmp, 8, 8, seed=11)
    out = os.path.join(tmp, 'out.png')
    run_ok('apply', '-k', 'edge', '--map', 'normalize', path, out)
    image = read_png(out)
    assert image.min() == 0 and image.max() == 255, (image.min(), image.max())


@test
def success_is_silent_and_leaves_no_temporary_files(tmp):
    path, _ = random_image(tmp, 4, 4)
    out, err = run_ok('apply', path, os.path.join(tmp, 'a.png'))
    assert out == '' and err == '', (out, err)
    run_ok('apply', path, os.path.join(tmp, 'b.npy'))
    assert sorted(os.listdir(tmp)) == sorted([os.path.basename(path), 'a.png', 'b.npy']), os.listdir(tmp)


@test
def verbose_prints_the_size_formula(tmp):
    out, _ = run_ok('apply', '-v', '-k', 'sharpen', '-s', '2', SAMPLE, os.path.join(tmp, 'o.png'))
    assert '226 × 150' in out, out


@test
def presets_lists_ids_and_labels(tmp):
    out, _ = run_ok('presets')
    lines = dict(line.split(None, 1) for line in out.splitlines())
    assert lines.get('identity') == 'Identity' and lines.get('sharpen') == 'Sharpen', out


@test
def help_and_version(tmp):
    assert run_ok('--version')[0].startswith('convolve-cli ')
    assert 'apply' in run_ok('--help')[0]
    assert '--kernel' in run_ok('apply', '--help')[0]
    code, _, err = run()
    assert code == 2 and 'COMMAND' in err


# -- generators, kernel pictures, engines, bench -----------------------------

def gaussian_reference(sigma):
    """The Gaussian generator built the same way: 2·⌈3σ⌉ + 1 samples, outer product."""
    radius = int(np.ceil(3 * sigma - 1e-9))
    g = np.exp(-np.arange(-radius, radius + 1) ** 2 / (2 * sigma * sigma))
    g /= g.sum()
    return np.outer(g, g)


def impulse_response(tmp, spec, side, *options):
    """Convolving (--convolve) a single white pixel in the middle of a black
    side × side image gives back the kernel itself, centred. The direct engine
    keeps the zeros exact (FFT's are only close)."""
    pixels = np.zeros((side, side, 3), np.uint8)
    pixels[side // 2, side // 2] = 255
    path = os.path.join(tmp, f'impulse-{side}.png')
    write_png(path, pixels)
    result = apply_npy(tmp, path, '--convolve', '-e', 'direct', '-k', spec, *options)
    for c in (1, 2):
        assert_close(result[:, :, c], result[:, :, 0], 0)
    return result[:, :, 0]


def support(response):
    """(height, width) of the nonzero cells."""
    rows = np.flatnonzero(np.any(response != 0, axis=1))
    cols = np.flatnonzero(np.any(response != 0, axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@test
def gaussian_generator_matches_reference(tmp):
    for sigma, side in ((2.5, 21), (1, 9)):
        response = impulse_response(tmp, f'gaussian:sigma={sigma}', side)
        kernel = gaussian_reference(sigma)
        pad = (side - kernel.shape[0]) // 2
        assert_close(response, np.pad(kernel, pad), 1e-6)


@test
def bare_generator_id_uses_defaults(tmp):
    # gaussian: σ = 2, 13 × 13
    response = impulse_response(tmp, 'gaussian', 15)
    assert_close(response, np.pad(gaussian_reference(2), 1), 1e-6)
    assert support(impulse_response(tmp, 'box', 11)) == (9, 9)


@test
def generator_shapes_through_the_cli(tmp):
    motion = impulse_response(tmp, 'motion:len=9,angle=90', 11)
    assert support(motion) == (9, 1), support(motion)
    assert_close(motion[1:10, 5], np.full(9, 1 / 9), 1e-6)
    disk = impulse_response(tmp, 'disk:r=4', 11)
    assert support(disk) == (9, 9) and abs(disk.sum() - 1) < 1e-5
    assert abs(1 / disk[5, 5] / (np.pi * 16) - 1) < 0.02
    assert_close(disk, disk[::-1, ::-1], 1e-7)
    assert_close(disk, disk.T, 1e-7)
    unsharp = impulse_response(tmp, 'unsharp:amount=2,sigma=1', 9)
    assert abs(unsharp.sum() - 1) < 1e-5 and unsharp[4, 4] > 1
    # LoG: zero-sum with a dark centre; signed values survive in the .npy
    log = impulse_response(tmp, 'log:sigma=1', 11)
    assert abs(log.sum()) < 1e-5 and log[5, 5] == log.min() < 0
    dog = impulse_response(tmp, 'dog:sigma=1,ratio=2', 15)
    assert abs(dog.sum()) < 1e-5 and dog[7, 7] == dog.max() > 0


@test
def generator_map_is_the_default(tmp):
    path, _ = random_image(tmp, 12, 12, seed=21)
    outputs = {}
    for name, options in (('default', []), ('signed', ['--map', 'signed'])):
        outputs[name] = os.path.join(tmp, f'{name}.png')
        run_ok('apply', '-k', 'log:sigma=1', *options, path, outputs[name])
    assert np.array_equal(read_png(outputs['default']), read_png(outputs['signed']))


@test
def kernel_from_picture(tmp):
    path, pixels = random_image(tmp, 10, 9, seed=22)
    kernel_pixels = np.random.default_rng(23).integers(0, 256, (3, 5, 3), dtype=np.uint8)
    kernel_path = os.path.join(tmp, 'bokeh.png')
    write_png(kernel_path, kernel_pixels)
    kernel = (kernel_pixels / 255.0) @ LUMA
    kernel /= kernel.sum()
    assert_close(apply_npy(tmp, path, '--kernel', kernel_path),
                 reference(pixels / 255.0, kernel), 1e-5)


@test
def kernel_from_picture_with_alpha(tmp):
    path, pixels = random_image(tmp, 8, 8, seed=24)
    kernel_pixels = np.full((3, 3, 4), 255, np.uint8)
    kernel_pixels[:, :, 3] = [[0, 255, 0], [255, 255, 255], [0, 255, 0]]
    kernel_path = os.path.join(tmp, 'plus.png')
    write_png(kernel_path, kernel_pixels)
    kernel = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]]) / 5.0
    assert_close(apply_npy(tmp, path, '--kernel', kernel_path),
                 reference(pixels / 255.0, kernel), 1e-5)


ENGINES = ('naive', 'direct', 'separable', 'fft', 'auto')


@test
def every_engine_matches_reference(tmp):
    # Run after the engines land: separable and fft must agree with naive.
    path, pixels = random_image(tmp, 37, 29, seed=25)
    rng = np.random.default_rng(26)
    random_kernel = rng.uniform(-1, 1, (7, 6))
    text = '; '.join(' '.join(repr(float(v)) for v in row) for row in random_kernel)
    cases = [
        (['-k', 'gaussian:sigma=1.5'], gaussian_reference(1.5), 'zero'),
        (['-k', text], random_kernel, 'zero'),
        (['-k', text, '--border', 'reflect'], random_kernel, 'reflect'),
        (['-k', 'motion:len=12,angle=30', '--border', 'clamp'], None, 'clamp'),
    ]
    for options, kernel, border in cases:
        expected = apply_npy(tmp, path, '--engine', 'naive', *options)
        if kernel is not None:
            assert_close(expected, reference(pixels / 255.0, kernel, border=border), 1e-5)
        for engine in ENGINES[1:]:
            try:
                assert_close(apply_npy(tmp, path, '--engine', engine, *options), expected, 1e-4)
            except AssertionError as e:
                raise AssertionError(f'--engine {engine} {" ".join(options)}: {e}') from None


@test
def verbose_names_the_engine_that_ran(tmp):
    path, _ = random_image(tmp, 20, 20, seed=27)
    out = os.path.join(tmp, 'o.npy')
    for engine in ('naive', 'direct', 'fft'):
        stdout, _ = run_ok('apply', '-v', '-e', engine, '-k', 'gaussian', path, out)
        assert f'engine: {engine}\n' in stdout, stdout
    stdout, _ = run_ok('apply', '-v', '-k', 'gaussian', path, out)
    lines = [l for l in stdout.splitlines() if l.startswith('engine: ')]
    assert len(lines) == 1 and lines[0].split()[1] in ENGINES[:4], stdout
    assert lines[0].endswith('(picked by auto)'), lines[0]


@test
def generators_lists_ids_and_ranges(tmp):
    out, _ = run_ok('generators')
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert sorted(lines) == sorted(['box', 'gaussian', 'disk', 'motion', 'log', 'dog',
                                    'unsharp']), out
    assert 'sigma=2 (0.3–42)' in lines['gaussian'], lines['gaussian']
    assert 'len=15 (1–255), angle=0 (0–360)' in lines['motion'], lines['motion']
    assert 'generators' in run_ok('--help')[0]


@test
def bench_conv_prints_a_row_per_engine(tmp):
    out, _ = run_ok('bench', 'conv', '--size', '48x32', '--kernel-sizes', '3,4', '--runs', '2',
                    '--threads', '1')
    assert out.startswith('# 48×32×3'), out
    rows = [line.split() for line in out.splitlines() if line[:1].isdigit()]
    for size in ('3×3', '4×4'):
        engines = [row[1] for row in rows if row[0] == size]
        assert engines == ['direct', 'separable', 'fft', 'auto'], out
    for row in rows:
        assert float(row[2]) >= 0, row
    auto = [line for line in out.splitlines() if ' auto ' in line]
    assert all('picked ' in line for line in auto), out


@test
def bench_usage_errors(tmp):
    for args in (['bench'], ['bench', 'fft'], ['bench', 'conv', '--size', '0x5'],
                 ['bench', 'conv', '--size', '40'], ['bench', 'conv', '--kernel-sizes', '3,x'],
                 ['bench', 'conv', '--kernel-sizes', '256'], ['bench', 'conv', '--runs', '0'],
                 ['bench', 'conv', '--threads', 'many']):
        code, stdout, stderr = run(*args)
        assert code == 2, (args, code, stderr)
        assert stdout == '' and len(stderr.splitlines()) == 1, (args, stdout, stderr)
        assert stderr.startswith('convolve-cli: '), (args, stderr)


# -- failures ----------------------------------------------------------------

def truncated_png(tmp):
    path = os.path.join(tmp, 'truncated.png')
    data = open(SAMPLE, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    return path


def truncated_jpeg(tmp):
    jpeg = convert(random_image(tmp, 32, 32, seed=14)[0], 'jpeg')
    data = open(jpeg, 'rb').read()
    with open(jpeg, 'wb') as f:
        f.write(data[:len(data) * 2 // 3])
    return jpeg


def text_as_png(tmp):
    path = os.path.join(tmp, 'notes.png')
    with open(path, 'w') as f:
        f.write('this is not an image\n')
    return path


def huge_png(tmp, width, height):
    """A well-formed PNG whose header claims width × height: it must be
    refused from the header, not by running out of memory."""
    path = os.path.join(tmp, f'huge-{width}x{height}.png')
    with open(path, 'wb') as f:
        f.write(png_bytes(np.zeros((1, 1, 3), np.uint8), size=(width, height)))
    return path


def small_png(tmp):
    return random_image(tmp, 2, 2)[0]


def kernel_picture(tmp, width, height, value):
    path = os.path.join(tmp, f'kernel-{width}x{height}.png')
    write_png(path, np.full((height, width, 3), value, np.uint8))
    return path


# (name, exit status, make the options and IN, OUT file name, text in message)
FAILURES = [
    ('missing input', 1, lambda t: [os.path.join(t, 'missing.png')], 'o.png', 'missing.png'),
    ('text file named .png', 1, lambda t: [text_as_png(t)], 'o.png', 'not an image'),
    ('truncated PNG to PNG', 1, lambda t: [truncated_png(t)], 'o.png', 'truncated'),
    ('truncated PNG to npy', 1, lambda t: [truncated_png(t)], 'o.npy', 'truncated'),
    ('truncated JPEG', 1, lambda t: [truncated_jpeg(t)], 'o.png', 'truncated'),
    ('too large a side', 1, lambda t: [huge_png(t, 20000, 20000)], 'o.png', '16384'),
    ('too many pixels', 1, lambda t: [huge_png(t, 9000, 9000)], 'o.png', 'million'),
    ('ragged kernel text', 2, lambda t: ['-k', '1 2; 3', SAMPLE], 'o.png', '--kernel'),
    ('stride 0', 2, lambda t: ['--stride', '0', SAMPLE], 'o.png', '1 to 8'),
    ('stride 9', 2, lambda t: ['--stride', '9', SAMPLE], 'o.png', '1 to 8'),
    ('malformed stride', 2, lambda t: ['--stride', '2x', SAMPLE], 'o.png', 'NxM'),
    ('dilation 9', 2, lambda t: ['--dilation', '1x9', SAMPLE], 'o.png', '1 to 8'),
    ('unknown preset', 2, lambda t: ['-k', 'sharpn', SAMPLE], 'o.png', 'sharpn'),
    ('unknown map', 2, lambda t: ['--map', 'loud', SAMPLE], 'o.png', 'loud'),
    ('unknown border', 2, lambda t: ['--border', 'mirror', SAMPLE], 'o.png', 'mirror'),
    ('unknown padding', 2, lambda t: ['--padding', 'full', SAMPLE], 'o.png', 'full'),
    ('unknown engine', 2, lambda t: ['--engine', 'gpu', SAMPLE], 'o.png', 'gpu'),
    ('divisor 0', 2, lambda t: ['--divisor', '0', SAMPLE], 'o.png', 'divisor'),
    ('unknown option', 2, lambda t: ['--frobnicate', SAMPLE], 'o.png', 'frobnicate'),
    ('unknown extension', 2, lambda t: [SAMPLE], 'o.jpg', '.png or .npy'),
    ('empty VALID output', 1, lambda t: ['-k', 'sharpen', '-p', 'valid', small_png(t)], 'o.npy',
     'no pixels'),
    ('unknown generator', 2, lambda t: ['-k', 'gauss:sigma=2', SAMPLE], 'o.png', 'gauss'),
    ('unknown generator key', 2, lambda t: ['-k', 'gaussian:radius=3', SAMPLE], 'o.png',
     'radius'),
    ('repeated generator key', 2, lambda t: ['-k', 'motion:len=3,len=4', SAMPLE], 'o.png',
     'twice'),
    ('generator bad number', 2, lambda t: ['-k', 'disk:r=abc', SAMPLE], 'o.png', 'abc'),
    ('generator out of range', 2, lambda t: ['-k', 'gaussian:sigma=100', SAMPLE], 'o.png',
     'sigma must be between 0.3 and 42'),
    ('generator not a whole size', 2, lambda t: ['-k', 'box:size=2.5', SAMPLE], 'o.png',
     'whole number'),
    ('black kernel picture', 1, lambda t: ['-k', kernel_picture(t, 3, 3, 0), SAMPLE], 'o.png',
     'black'),
    ('kernel picture too large', 1, lambda t: ['-k', kernel_picture(t, 256, 2, 255), SAMPLE],
     'o.png', '255'),
    ('truncated kernel picture', 1, lambda t: ['-k', truncated_png(t), SAMPLE], 'o.png',
     'truncated'),
]


def check_failure(tmp, expected_code, make_args, out_name, needle, old):
    out = os.path.join(tmp, out_name)
    if old is not None:
        with open(out, 'wb') as f:
            f.write(old)
    args = make_args(tmp)
    before = sorted(os.listdir(tmp))
    code, stdout, stderr = run('apply', *args, out)
    assert code == expected_code, f'exit {code}, expected {expected_code}: {stderr.strip()}'
    assert stdout == '', stdout
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith('convolve-cli: '), stderr
    assert needle in lines[0], f'“{needle}” not in: {lines[0]}'
    if old is None:
        assert not os.path.exists(out), 'OUT was created'
    else:
        assert open(out, 'rb').read() == old, 'OUT was changed'
    assert sorted(os.listdir(tmp)) == before, 'files left behind'


def failure_test(name, code, make_args, out_name, needle, old):
    def check(tmp):
        check_failure(tmp, code, make_args, out_name, needle, old)
    check.__name__ = name.replace(' ', '_') + ('_keeps_old_out' if old else '')
    return check


for failure in FAILURES:
    test(failure_test(*failure, old=None))
    test(failure_test(*failure, old=b'old contents'))


@test
def unwritable_folder(tmp):
    out = os.path.join(tmp, 'no-such-folder', 'o.png')
    code, _, stderr = run('apply', SAMPLE, out)
    assert code == 1 and stderr.startswith('convolve-cli: ') and len(stderr.splitlines()) == 1, stderr
    assert not os.path.exists(out)


@test
def unknown_command(tmp):
    code, _, stderr = run('frobnicate')
    assert code == 2 and stderr.startswith('convolve-cli: '), stderr


def main():
    # The engines keep a cost model and FFTW wisdom in the user's cache
    # folder: the tests use a fresh one of their own.
    with tempfile.TemporaryDirectory(prefix='convolve-cli-test-cache-') as cache:
        ENV['XDG_CACHE_HOME'] = cache
        return tap.run(tests, tmp_prefix='convolve-cli-test-',
                       name=lambda f: '- ' + f.__name__.replace('_', ' '))


if __name__ == '__main__':
    sys.exit(main())
