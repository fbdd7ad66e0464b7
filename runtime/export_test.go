package runtime

// SetPageSize lets tests make list pages small enough to need several calls.
func SetPageSize(c *Client, n int32) { c.pageSize = n }
