package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/hsc-dev/hsc/internal/testenv"
)

// The committed table is what the generator makes from the botocore
// installed on this machine (or $BOTOCORE_DATA).
func TestTableIsGenerated(t *testing.T) {
	dir, err := findData()
	if err != nil {
		testenv.Skip(t, "no botocore data: "+err.Error())
	}
	if _, err := os.Stat(dir); err != nil {
		testenv.Skip(t, "no botocore data: "+err.Error())
	}
	got, err := Table(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../awssdk.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("awssdk.txt.gz is not what gen makes from %s (another botocore version?): run go generate in sema", dir)
	}
}

func TestSDKName(t *testing.T) {
	for id, want := range map[string]string{
		"SFN": "sfn", "Secrets Manager": "secretsmanager", "Config Service": "config", "CloudWatch Logs": "cloudwatchlogs",
		"Bedrock Agent": "bedrockagent", "EMR Serverless": "emrserverless", "Redshift Data": "redshiftdata", "S3": "s3",
	} {
		if got := SDKName(id); got != want {
			t.Errorf("SDKName(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestTableOfAFakeModel(t *testing.T) {
	dir := t.TempDir()
	for path, body := range map[string]string{
		"svc/2020-01-01/service-2.json": `{"metadata": {"serviceId": "Old"}, "operations": {"Gone": {}}}`,
		"svc/2021-01-01/service-2.json": `{"metadata": {"serviceId": "My Service"}, "operations": {"PutThing": {}, "GetThing": {}}}`,
		"empty/2021-01-01/other.json":   `{}`,
	} {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Table(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := "my GetThing PutThing\n"
	if !bytes.HasSuffix(got, []byte(want)) || bytes.Count(got, []byte("\n")) != 2 {
		t.Errorf("table:\n%s\nwant a comment line and %q", got, want)
	}
}
