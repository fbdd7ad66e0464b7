package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/fogleman/gg"
	"github.com/goccy/go-graphviz"
	"github.com/goccy/go-graphviz/gvc"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// pngRenderer draws Graphviz's rendering calls into an image. It stands in
// for go-graphviz's own PNG renderer, which in v0.2.10 fills edge curves
// and draws no outline around filled shapes (goccy/go-graphviz#106): a
// filled shape here is filled with the fill colour and then outlined with
// the pen colour, as Graphviz's own renderers do, and edges are stroked.
type pngRenderer struct {
	*gvc.DefaultRenderEngine
	dc    *gg.Context
	faces map[float64]font.Face
	out   []byte
}

func (r *pngRenderer) x(job *gvc.Job, v float64) float64 { return job.Scale().X() * v }
func (r *pngRenderer) y(job *gvc.Job, v float64) float64 { return job.Scale().Y() * -v }

func (r *pngRenderer) BeginPage(_ context.Context, job *gvc.Job) error {
	r.dc = gg.NewContext(int(job.Width()), int(job.Height()))
	r.dc.SetRGB(1, 1, 1)
	r.dc.Clear()
	t := job.Translation()
	r.dc.Translate(r.x(job, t.X()), r.y(job, t.Y()))
	return nil
}

func (r *pngRenderer) EndPage(_ context.Context, job *gvc.Job) error {
	var buf bytes.Buffer
	if err := r.dc.EncodePNG(&buf); err != nil {
		return err
	}
	r.out = buf.Bytes()
	job.SetOutputData(r.out)
	job.SetOutputDataPosition(uint(len(r.out)))
	return nil
}

func setColor(dc *gg.Context, c *gvc.Color) {
	v := c.RGBAUint()
	dc.SetRGBA255(int(v[0]), int(v[1]), int(v[2]), int(v[3]))
}

func (r *pngRenderer) pen(job *gvc.Job) bool {
	o := job.Object()
	r.dc.SetLineWidth(max(o.PenWidth(), 0.5) * job.Scale().X())
	switch o.Pen() {
	case gvc.PenDashed:
		r.dc.SetDash(5, 2)
	case gvc.PenDotted:
		r.dc.SetDash(1, 3)
	case gvc.PenNone:
		return false
	default:
		r.dc.SetDash()
	}
	return true
}

// finish fills (when filled) and outlines the current path.
func (r *pngRenderer) finish(job *gvc.Job, filled bool) {
	o := job.Object()
	if filled {
		setColor(r.dc, o.FillColor())
		r.dc.FillPreserve()
	}
	if r.pen(job) {
		setColor(r.dc, o.PenColor())
		r.dc.Stroke()
	}
	r.dc.ClearPath()
}

func (r *pngRenderer) Ellipse(_ context.Context, job *gvc.Job, p []*gvc.PointFloat, filled bool) error {
	if len(p) < 2 {
		return nil
	}
	rx, ry := r.x(job, p[1].X()-p[0].X()), job.Scale().Y()*(p[1].Y()-p[0].Y())
	r.dc.NewSubPath()
	r.dc.DrawEllipse(r.x(job, p[0].X()), r.y(job, p[0].Y()), abs(rx), abs(ry))
	r.finish(job, filled)
	return nil
}

func (r *pngRenderer) Polygon(_ context.Context, job *gvc.Job, p []*gvc.PointFloat, filled bool) error {
	if len(p) == 0 {
		return nil
	}
	r.dc.NewSubPath()
	r.dc.MoveTo(r.x(job, p[0].X()), r.y(job, p[0].Y()))
	for _, q := range p[1:] {
		r.dc.LineTo(r.x(job, q.X()), r.y(job, q.Y()))
	}
	r.dc.ClosePath()
	r.finish(job, filled)
	return nil
}

func (r *pngRenderer) BezierCurve(_ context.Context, job *gvc.Job, p []*gvc.PointFloat, filled bool) error {
	if len(p) == 0 {
		return nil
	}
	r.dc.NewSubPath()
	r.dc.MoveTo(r.x(job, p[0].X()), r.y(job, p[0].Y()))
	for i := 1; i+2 < len(p); i += 3 {
		r.dc.CubicTo(r.x(job, p[i].X()), r.y(job, p[i].Y()), r.x(job, p[i+1].X()), r.y(job, p[i+1].Y()), r.x(job, p[i+2].X()), r.y(job, p[i+2].Y()))
	}
	// Edges are lines: only a closed shape is filled.
	r.finish(job, filled && job.Object().Type() != gvc.EdgeObjectType)
	return nil
}

func (r *pngRenderer) Polyline(_ context.Context, job *gvc.Job, p []*gvc.PointFloat) error {
	if len(p) == 0 {
		return nil
	}
	r.dc.NewSubPath()
	r.dc.MoveTo(r.x(job, p[0].X()), r.y(job, p[0].Y()))
	for _, q := range p[1:] {
		r.dc.LineTo(r.x(job, q.X()), r.y(job, q.Y()))
	}
	r.finish(job, false)
	return nil
}

func (r *pngRenderer) TextSpan(_ context.Context, job *gvc.Job, p *gvc.PointFloat, span *gvc.TextSpan) error {
	size := span.Font().Size() * job.Zoom()
	face, err := r.face(size)
	if err != nil {
		return err
	}
	r.dc.SetFontFace(face)
	setColor(r.dc, job.Object().PenColor())
	x := r.x(job, p.X())
	w := r.x(job, span.Size().X())
	switch span.Just() {
	case 'r':
		x -= w
	case 'l':
	default:
		x -= w / 2
	}
	y := r.y(job, p.Y()+span.YOffsetCenterLine()+span.YOffsetLayout())
	r.dc.DrawString(span.Text(), x, y)
	return nil
}

// face is the Go Regular font at size, made once per size.
func (r *pngRenderer) face(size float64) (font.Face, error) {
	if f, ok := r.faces[size]; ok {
		return f, nil
	}
	ft, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	f, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	if r.faces == nil {
		r.faces = map[float64]font.Face{}
	}
	r.faces[size] = f
	return f, nil
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// renderPNG lays out dot with Graphviz and draws it with pngRenderer.
func renderPNG(ctx context.Context, dot []byte, w io.Writer) (err error) {
	eng := &pngRenderer{DefaultRenderEngine: new(gvc.DefaultRenderEngine)}
	rp, err := graphviz.NewRenderPlugin(ctx, "png", eng)
	if err != nil {
		return fmt.Errorf("graph: PNG renderer: %w", err)
	}
	dp, err := graphviz.PNGDevicePlugin(ctx)
	if err != nil {
		return fmt.Errorf("graph: PNG device: %w", err)
	}
	gv, err := graphviz.NewWithPlugins(ctx, rp, dp)
	if err != nil {
		return fmt.Errorf("graph: starting Graphviz: %w", err)
	}
	defer func() {
		if cerr := gv.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	parsed, err := graphviz.ParseBytes(dot)
	if err != nil {
		return fmt.Errorf("graph: Graphviz rejected the DOT text: %w", err)
	}
	defer func() {
		if cerr := parsed.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	var discard bytes.Buffer
	if err := gv.Render(ctx, parsed, graphviz.PNG, &discard); err != nil {
		return fmt.Errorf("graph: Graphviz png rendering: %w", err)
	}
	if len(eng.out) == 0 {
		return fmt.Errorf("graph: Graphviz drew no PNG page")
	}
	_, err = w.Write(eng.out)
	return err
}
