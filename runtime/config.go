package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Config selects the account, region, credentials and endpoint. Every field
// is optional: what is empty comes from the heaviside-style credentials
// file, then from the SDK's standard chain (environment, shared config and
// credentials files, SSO, container and EC2 instance roles; the region
// also from EC2 instance metadata).
type Config struct {
	Region    string
	Profile   string // shared-config profile
	AccessKey string // with SecretKey: static credentials
	SecretKey string
	// CredentialsFile is a heaviside-style JSON file with the keys
	// aws_access_key/access_key, aws_secret_key/secret_key,
	// aws_account_id/account_id and aws_region/region.
	CredentialsFile string
	// AccountID is used in ARNs (roles given by name, Lambda and Activity
	// ARNs in compiled definitions). When empty it is asked of STS once,
	// the first time an ARN needs it.
	AccountID string
	// EndpointURL replaces the Step Functions endpoint (e.g. a local
	// server). When empty the SDK honours AWS_ENDPOINT_URL_SFN and
	// AWS_ENDPOINT_URL.
	EndpointURL string
	// RetryMaxBackoff caps the wait between retries of a throttled or
	// failed call; zero keeps the SDK's default (20 s).
	RetryMaxBackoff time.Duration
	// Logger receives debug logs (polling, account lookup). Nil: none.
	Logger *slog.Logger
}

// Credentials are the values a heaviside credentials file may hold.
type Credentials struct {
	AccessKey string
	SecretKey string
	AccountID string
	Region    string
}

// ReadCredentialsFile reads a heaviside-style credentials JSON file. For
// each value the aws_-prefixed key wins over the short one, as in
// heaviside's command line tool; unknown keys are ignored.
func ReadCredentialsFile(path string) (Credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("reading credentials file: %w", err)
	}
	return ParseCredentials(data, path)
}

// ParseCredentials parses the contents of a heaviside-style credentials
// file; name is used in error messages.
func ParseCredentials(data []byte, name string) (Credentials, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return Credentials{}, fmt.Errorf("credentials file %s: not a JSON object: %w", name, err)
	}
	var firstErr error
	get := func(keys ...string) string {
		for _, k := range keys {
			raw, ok := m[k]
			if !ok {
				continue
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				// Account ids are sometimes written as numbers.
				var n json.Number
				if json.Unmarshal(raw, &n) == nil {
					return n.String()
				}
				if firstErr == nil {
					firstErr = fmt.Errorf("credentials file %s: %q must be a string", name, k)
				}
				return ""
			}
			return s
		}
		return ""
	}
	c := Credentials{
		AccessKey: get("aws_access_key", "access_key"),
		SecretKey: get("aws_secret_key", "secret_key"),
		AccountID: get("aws_account_id", "account_id"),
		Region:    get("aws_region", "region"),
	}
	return c, firstErr
}

// New loads the AWS configuration described by cfg and returns a client for
// Step Functions. It does not contact AWS; missing credentials are reported
// by the first call that needs them (as a *CredentialsError).
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.CredentialsFile != "" {
		fc, err := ReadCredentialsFile(cfg.CredentialsFile)
		if err != nil {
			return nil, err
		}
		// Explicit settings override the file, as in heaviside.
		cfg.AccessKey = firstNonEmpty(cfg.AccessKey, fc.AccessKey)
		cfg.SecretKey = firstNonEmpty(cfg.SecretKey, fc.SecretKey)
		cfg.AccountID = firstNonEmpty(cfg.AccountID, fc.AccountID)
		cfg.Region = firstNonEmpty(cfg.Region, fc.Region)
	}
	if (cfg.AccessKey == "") != (cfg.SecretKey == "") {
		return nil, errors.New("an access key needs a secret key and the other way round; give both or neither")
	}

	opts := []func(*config.LoadOptions) error{
		// Adaptive retries slow down on throttling errors instead of
		// failing; Step Functions throttles per account and API.
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				if cfg.RetryMaxBackoff > 0 {
					o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
						so.MaxBackoff = cfg.RetryMaxBackoff
						so.Backoff = retry.NewExponentialJitterBackoff(cfg.RetryMaxBackoff)
					})
				}
			})
		}),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		// Last resort, as heaviside: the instance's region on EC2.
		out, err := imds.NewFromConfig(awsCfg).GetRegion(ctx, &imds.GetRegionInput{})
		if err != nil || out.Region == "" {
			return nil, fmt.Errorf("%w: give a region, or set AWS_REGION or a region in the AWS profile", ErrNoRegion)
		}
		awsCfg.Region = out.Region
	}
	if awsCfg.Credentials != nil {
		awsCfg.Credentials = markCredentialErrors{awsCfg.Credentials}
	}
	api := sfn.NewFromConfig(awsCfg, func(o *sfn.Options) {
		if cfg.EndpointURL != "" {
			o.BaseEndpoint = aws.String(cfg.EndpointURL)
		}
	})
	return NewClient(api, ClientOptions{
		Region:    awsCfg.Region,
		AccountID: cfg.AccountID,
		STS:       sts.NewFromConfig(awsCfg),
		Logger:    cfg.Logger,
	}), nil
}

// markCredentialErrors makes a failure to find credentials recognisable: the
// SDK reports it as a plain wrapped error.
type markCredentialErrors struct{ aws.CredentialsProvider }

func (p markCredentialErrors) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.CredentialsProvider.Retrieve(ctx)
	if err != nil && ctx.Err() == nil {
		return c, &CredentialsError{Err: err}
	}
	return c, err
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ClientOptions configure NewClient.
type ClientOptions struct {
	Region    string // used in compiled ARNs and to pick the partition
	AccountID string // empty: asked of STS when first needed
	STS       STSAPI // nil: the account id must be given
	Logger    *slog.Logger
}

// Client runs state machines through a Step Functions API client. It is
// safe for concurrent use.
type Client struct {
	api       SFNAPI
	sts       STSAPI
	region    string
	partition string
	log       *slog.Logger
	pageSize  int32 // MaxResults of list and history calls

	mu        sync.Mutex
	accountID string
	lastName  time.Time // the time in the last default execution name
}

// nameTime returns the time for a default execution name: now, or the
// millisecond after the last one this client used, so that starts from
// one client never share a default name (a start with the name and input
// of a running execution would return that execution instead).
func (c *Client) nameTime() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := time.Now().UTC().Truncate(time.Millisecond)
	if !t.After(c.lastName) {
		t = c.lastName.Add(time.Millisecond)
	}
	c.lastName = t
	return t
}

// NewClient wraps an existing Step Functions client (for example one an
// activity worker already built, or any SFNAPI implementation).
func NewClient(api SFNAPI, o ClientOptions) *Client {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{
		api:       api,
		sts:       o.STS,
		region:    o.Region,
		partition: Partition(o.Region),
		log:       log,
		pageSize:  defaultPageSize,
		accountID: o.AccountID,
	}
}

// API returns the underlying Step Functions client, for packages (such as
// activity workers) that call it directly with the same configuration.
func (c *Client) API() SFNAPI { return c.api }

// Region returns the configured region.
func (c *Client) Region() string { return c.region }

// Partition returns the ARN partition of the region ("aws", "aws-cn", ...).
func (c *Client) Partition() string { return c.partition }

// AccountID returns the account id: the configured one, or the one STS
// reports for the credentials (asked once, then remembered).
func (c *Client) AccountID(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.accountID != "" {
		return c.accountID, nil
	}
	if c.sts == nil {
		return "", fmt.Errorf("%w: give the account id", ErrNoAccountID)
	}
	c.log.DebugContext(ctx, "looking up the account id with STS GetCallerIdentity")
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoAccountID, WrapError("look up account id", err))
	}
	if out.Account == nil || *out.Account == "" {
		return "", fmt.Errorf("%w: STS returned none", ErrNoAccountID)
	}
	c.accountID = *out.Account
	return c.accountID, nil
}

// Partition returns the ARN partition that region belongs to.
func Partition(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"},
		{"us-gov-", "aws-us-gov"},
		{"us-isob-", "aws-iso-b"},
		{"us-iso-", "aws-iso"},
		{"eu-isoe-", "aws-iso-e"},
		{"us-isof-", "aws-iso-f"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}
