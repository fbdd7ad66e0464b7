package runtime_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/hsc-dev/hsc/runtime"
)

func TestParseCredentials(t *testing.T) {
	tests := []struct {
		name, json string
		want       runtime.Credentials
		wantErr    string
	}{
		{
			name: "aws_ keys",
			json: `{"aws_access_key":"AK","aws_secret_key":"SK","aws_account_id":"123","aws_region":"eu-west-1"}`,
			want: runtime.Credentials{AccessKey: "AK", SecretKey: "SK", AccountID: "123", Region: "eu-west-1"},
		},
		{
			name: "short keys",
			json: `{"access_key":"AK","secret_key":"SK","account_id":"123","region":"us-west-2"}`,
			want: runtime.Credentials{AccessKey: "AK", SecretKey: "SK", AccountID: "123", Region: "us-west-2"},
		},
		{
			name: "aws_ key wins, numeric account, unknown keys ignored",
			json: `{"access_key":"short","aws_access_key":"long","account_id":123456789012,"other":[1]}`,
			want: runtime.Credentials{AccessKey: "long", AccountID: "123456789012"},
		},
		{name: "empty object", json: `{}`},
		{name: "not an object", json: `["a"]`, wantErr: "not a JSON object"},
		{name: "not JSON", json: `{`, wantErr: "not a JSON object"},
		{name: "wrong type", json: `{"region":true}`, wantErr: `"region" must be a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := runtime.ParseCredentials([]byte(tt.json), "creds.json")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "creds.json") {
					t.Fatalf("got error %v, want one naming creds.json and containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadCredentialsFileMissing(t *testing.T) {
	_, err := runtime.ReadCredentialsFile(filepath.Join(t.TempDir(), "nope.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want ErrNotExist", err)
	}
}

func TestNewConfigErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "creds.json")
	if err := os.WriteFile(file, []byte(`{"aws_access_key":"AK","aws_secret_key":"SK","aws_region":"eu-central-1","aws_account_id":"111"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	// Keep the test independent of the machine's AWS setup.
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	t.Run("no region", func(t *testing.T) {
		_, err := runtime.New(t.Context(), runtime.Config{AccessKey: "a", SecretKey: "s"})
		if !errors.Is(err, runtime.ErrNoRegion) {
			t.Errorf("got %v, want ErrNoRegion", err)
		}
	})
	t.Run("access key without secret", func(t *testing.T) {
		_, err := runtime.New(t.Context(), runtime.Config{Region: "us-east-1", AccessKey: "a"})
		if err == nil || !strings.Contains(err.Error(), "secret key") {
			t.Errorf("got %v, want an error about the secret key", err)
		}
	})
	t.Run("file supplies region and account", func(t *testing.T) {
		c, err := runtime.New(t.Context(), runtime.Config{CredentialsFile: file})
		if err != nil {
			t.Fatal(err)
		}
		acct, err := c.AccountID(t.Context())
		if c.Region() != "eu-central-1" || acct != "111" || err != nil {
			t.Errorf("region %q account %q (%v); want eu-central-1, 111", c.Region(), acct, err)
		}
	})
	t.Run("explicit values override the file", func(t *testing.T) {
		c, err := runtime.New(t.Context(), runtime.Config{CredentialsFile: file, Region: "cn-north-1", AccountID: "222"})
		if err != nil {
			t.Fatal(err)
		}
		acct, _ := c.AccountID(t.Context())
		if c.Region() != "cn-north-1" || acct != "222" || c.Partition() != "aws-cn" {
			t.Errorf("region %q account %q partition %q", c.Region(), acct, c.Partition())
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := runtime.New(t.Context(), runtime.Config{CredentialsFile: filepath.Join(dir, "missing.json")})
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want ErrNotExist", err)
		}
	})
}

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-3": "aws", "": "aws",
		"cn-northwest-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
	} {
		if got := runtime.Partition(region); got != want {
			t.Errorf("Partition(%q) = %q, want %q", region, got, want)
		}
	}
}

// fakeSTS answers GetCallerIdentity and counts the calls.
type fakeSTS struct {
	account string
	err     error
	calls   int
}

func (f *fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return &sts.GetCallerIdentityOutput{Account: aws.String(f.account)}, nil
}

func TestRoleARN(t *testing.T) {
	tests := []struct {
		name, region, account, role, want, wantErr string
	}{
		{name: "bare name", region: "us-east-1", account: "123", role: "StatesRole", want: "arn:aws:iam::123:role/StatesRole"},
		{name: "path", region: "us-east-1", account: "123", role: "service-role/R", want: "arn:aws:iam::123:role/service-role/R"},
		{name: "china", region: "cn-north-1", account: "123", role: "R", want: "arn:aws-cn:iam::123:role/R"},
		{name: "full ARN kept", region: "us-east-1", account: "", role: " arn:aws:iam::999:role/X ", want: "arn:aws:iam::999:role/X"},
		{name: "empty", region: "us-east-1", account: "123", role: "  ", wantErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := runtime.NewClient(nil, runtime.ClientOptions{Region: tt.region, AccountID: tt.account})
			got, err := c.RoleARN(t.Context(), tt.role)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %q, %v; want error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestAccountIDFromSTS(t *testing.T) {
	f := &fakeSTS{account: "555"}
	c := runtime.NewClient(nil, runtime.ClientOptions{Region: "us-east-1", STS: f})
	for range 3 {
		arn, err := c.RoleARN(t.Context(), "R")
		if err != nil || arn != "arn:aws:iam::555:role/R" {
			t.Fatalf("got %q, %v", arn, err)
		}
	}
	if f.calls != 1 {
		t.Errorf("STS asked %d times, want once", f.calls)
	}

	failing := &fakeSTS{err: errors.New("denied")}
	c = runtime.NewClient(nil, runtime.ClientOptions{Region: "us-east-1", STS: failing})
	if _, err := c.AccountID(t.Context()); !errors.Is(err, runtime.ErrNoAccountID) || !strings.Contains(err.Error(), "denied") {
		t.Errorf("got %v, want ErrNoAccountID with the STS error", err)
	}
	c = runtime.NewClient(nil, runtime.ClientOptions{Region: "us-east-1"})
	if _, err := c.RoleARN(t.Context(), "R"); !errors.Is(err, runtime.ErrNoAccountID) {
		t.Errorf("without STS: got %v, want ErrNoAccountID", err)
	}
}

func TestDefaultExecutionName(t *testing.T) {
	at := time.Date(2026, 11, 28, 13, 4, 5, 678_900_000, time.FixedZone("X", 3600))
	tests := []struct {
		machine, want string
	}{
		{"hello", "hello-20261128T120405.678Z"},
		{strings.Repeat("m", 80), strings.Repeat("m", 59) + "-20261128T120405.678Z"},
		{strings.Repeat("m", 58) + "éé", strings.Repeat("m", 58) + "-20261128T120405.678Z"},
	}
	for _, tt := range tests {
		got := runtime.DefaultExecutionName(tt.machine, at)
		if got != tt.want {
			t.Errorf("DefaultExecutionName(%q) = %q, want %q", tt.machine, got, tt.want)
		}
		if len(got) > 80 || !utf8.ValidString(got) {
			t.Errorf("%q: too long or cut inside a character", got)
		}
	}
	if a, b := runtime.DefaultExecutionName("m", at), runtime.DefaultExecutionName("m", at.Add(time.Millisecond)); a == b {
		t.Errorf("names one millisecond apart are equal: %s", a)
	}
}

func TestWrapError(t *testing.T) {
	if runtime.WrapError("op", nil) != nil {
		t.Error("WrapError(nil) is not nil")
	}
	base := errors.New("boom")
	err := runtime.WrapError("doing x", base)
	if !errors.Is(err, base) || !strings.HasPrefix(err.Error(), "doing x: ") {
		t.Errorf("got %v", err)
	}
}
