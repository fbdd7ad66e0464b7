package interpreter

// WithResultFileBytes sets the most one ResultWriter file holds (AWS's
// 5 GB is too much for a test).
func WithResultFileBytes(n int64) Option { return func(o *config) { o.resultFileBytes = n } }
