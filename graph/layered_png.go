package graph

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"

	"github.com/fogleman/gg"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// maxPNGPixels bounds a layered PNG (4 bytes a pixel in memory: 160 MB),
// and viewers and browsers give up on images longer than 32,767 pixels a
// side. A larger drawing is scaled down to fit, and refused when that
// would make it smaller than minPNGScale of its size.
const (
	maxPNGPixels = 40_000_000
	maxPNGSide   = 32767.0
	minPNGScale  = 0.25
	// pngTile is the height of the strips the image is drawn in: the
	// rasterizer's work for each shape grows with the canvas, so drawing a
	// tall image strip by strip keeps the cost linear in its shapes.
	pngTile = 1024
)

// pngOp draws one shape or text; y0 and y1 bound it vertically in pixels.
type pngOp struct {
	y0, y1 float64
	draw   func(dc *gg.Context, oy float64) error
}

// layeredPNG draws the layered layout as PNG, as layeredSVG draws it.
func (g *Graph) layeredPNG(w io.Writer) error {
	L := g.layered()
	s := 1.0
	if px := L.width * L.height; px > maxPNGPixels {
		s = math.Sqrt(maxPNGPixels / px)
	}
	s = min(s, maxPNGSide/L.width, maxPNGSide/L.height)
	if s < minPNGScale {
		return fmt.Errorf("graph: %d nodes lay out as %.0f×%.0f pixels, too large for a readable PNG (at most %d pixels a side and %d in all); use svg", len(g.Nodes), L.width, L.height, int(maxPNGSide), maxPNGPixels)
	}
	W, H := int(math.Ceil(L.width*s)), int(math.Ceil(L.height*s))
	ft, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return err
	}
	faces := map[float64]font.Face{}
	face := func(size float64) (font.Face, error) {
		if f, ok := faces[size]; ok {
			return f, nil
		}
		f, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: size * s, DPI: 72, Hinting: font.HintingFull})
		faces[size] = f
		return f, err
	}
	var ops []pngOp
	text := func(str string, x, y, size float64, col string, anchor float64) {
		ops = append(ops, pngOp{(y - size) * s, (y + size) * s, func(dc *gg.Context, oy float64) error {
			f, err := face(size)
			if err != nil {
				return err
			}
			dc.SetFontFace(f)
			dc.SetColor(hexColor(col))
			dc.DrawStringAnchored(str, x*s, y*s-oy, anchor, 0)
			return nil
		}})
	}
	for _, bx := range L.boxes {
		ops = append(ops, pngOp{bx.y*s - 2, (bx.y+bx.h)*s + 2, func(dc *gg.Context, oy float64) error {
			dc.SetLineWidth(1.2 * s)
			dc.SetDash(5*s, 2*s)
			dc.DrawRoundedRectangle(bx.x*s, bx.y*s-oy, bx.w*s, bx.h*s, 6*s)
			dc.SetColor(hexColor(clusterColor))
			dc.Stroke()
			return nil
		}})
		text(clip(bx.label, int(bx.w/6)), bx.x+6, bx.y+12, 10, clusterFont, 0)
	}
	for i, e := range g.Edges {
		p := L.path(g, i)
		pts := p.points(24)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, q := range pts {
			lo, hi = min(lo, q[1]), max(hi, q[1])
		}
		ops = append(ops, pngOp{lo*s - 8, hi*s + 8, func(dc *gg.Context, oy float64) error {
			// Only the segments in this strip are drawn, clipped to it: a
			// long edge costs the rasterizer nothing outside the strip.
			band0, band1 := (oy-8)/s, (oy+float64(dc.Height())+8)/s
			dc.SetLineWidth(1.2 * s)
			dc.SetDash()
			if e.Kind == EdgeCatch {
				dc.SetDash(5*s, 2*s)
			}
			dc.SetColor(hexColor(edgeColor(e)))
			for k := 1; k < len(pts); k++ {
				a, b, ok := clipSegment(pts[k-1], pts[k], band0, band1)
				if !ok {
					continue
				}
				dc.MoveTo(a[0]*s, a[1]*s-oy)
				dc.LineTo(b[0]*s, b[1]*s-oy)
				dc.Stroke()
			}
			dc.SetDash()
			// The arrow head follows the direction the edge arrives in.
			f, t := pts[len(pts)-2], pts[len(pts)-1]
			if d := math.Hypot(t[0]-f[0], t[1]-f[1]); d > 0 && t[1]+8 >= band0 && t[1]-8 <= band1 {
				ux, uy := (t[0]-f[0])/d, (t[1]-f[1])/d
				const head, half = 7.0, 3.5
				bx, by := t[0]-ux*head, t[1]-uy*head
				dc.MoveTo(t[0]*s, t[1]*s-oy)
				dc.LineTo((bx-uy*half)*s, (by+ux*half)*s-oy)
				dc.LineTo((bx+uy*half)*s, (by-ux*half)*s-oy)
				dc.ClosePath()
				dc.Fill()
			}
			return nil
		}})
		if e.Label != "" {
			text(clip(e.Label, 40), (p.x1+p.x2)/2+4, (p.y1+p.y2)/2, 9, edgeColor(e), 0)
		}
	}
	for i, nd := range g.Nodes {
		st := nodeStyle(nd, g.History)
		x, y := L.x[i], L.y[i]
		hh := halfHeight(nd)
		ops = append(ops, pngOp{(y-hh)*s - 2, (y+hh)*s + 2, func(dc *gg.Context, oy float64) error {
			dc.SetLineWidth(1.2 * s)
			dc.SetDash()
			if st.dash {
				dc.SetDash(4*s, 3*s)
			}
			if !nd.IsState() {
				dc.DrawCircle(x*s, y*s-oy, markerRadius(nd)*s)
			} else {
				dc.DrawRoundedRectangle((x-lNodeW/2)*s, (y-lNodeH/2)*s-oy, lNodeW*s, lNodeH*s, nodeRadius(nd)*s)
			}
			dc.SetColor(hexColor(st.fill))
			dc.FillPreserve()
			dc.SetColor(hexColor(st.color))
			dc.Stroke()
			return nil
		}})
		if nd.IsState() {
			lines := labelLines(nd)
			for j, line := range lines {
				text(clip(line, 26), x, labelY(y, len(lines), j), 10, fontColor(st), 0.5)
			}
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for top := 0; top < H; top += pngTile {
		th := min(pngTile, H-top)
		dc := gg.NewContext(W, th)
		dc.SetRGB(1, 1, 1)
		dc.Clear()
		t0, t1 := float64(top), float64(top+th)
		for _, op := range ops {
			if op.y1 < t0 || op.y0 > t1 {
				continue
			}
			if err := op.draw(dc, t0); err != nil {
				return err
			}
		}
		draw.Draw(img, image.Rect(0, top, W, top+th), dc.Image(), image.Point{}, draw.Src)
	}
	return png.Encode(w, img)
}

// points flattens the path: its two ends for a line, n+1 points along
// a curve.
func (p edgePath) points(n int) [][2]float64 {
	if !p.cubic {
		return [][2]float64{{p.x1, p.y1}, {p.x2, p.y2}}
	}
	pts := make([][2]float64, n+1)
	for i := range pts {
		t := float64(i) / float64(n)
		u := 1 - t
		a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
		pts[i] = [2]float64{a*p.x1 + b*p.c1x + c*p.c2x + d*p.x2, a*p.y1 + b*p.c1y + c*p.c2y + d*p.y2}
	}
	return pts
}

// clipSegment is the part of the segment a–b between y0 and y1.
func clipSegment(a, b [2]float64, y0, y1 float64) ([2]float64, [2]float64, bool) {
	if a[1] > b[1] {
		a, b = b, a
	}
	if b[1] < y0 || a[1] > y1 {
		return a, b, false
	}
	at := func(y float64) [2]float64 {
		if b[1] == a[1] {
			return [2]float64{a[0], y}
		}
		t := (y - a[1]) / (b[1] - a[1])
		return [2]float64{a[0] + t*(b[0]-a[0]), y}
	}
	if a[1] < y0 {
		a = at(y0)
	}
	if b[1] > y1 {
		b = at(y1)
	}
	return a, b, true
}

// hexColor reads "#rrggbb" (black for anything else).
func hexColor(h string) color.Color {
	if len(h) != 7 || h[0] != '#' {
		return color.Black
	}
	v, err := strconv.ParseUint(h[1:], 16, 32)
	if err != nil {
		return color.Black
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}
