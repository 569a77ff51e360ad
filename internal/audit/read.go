package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/asyncinvoke/asyncinvoke/internal/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Config says where the API is and with which credentials: the standard
// chain (environment, shared files, SSO, instance roles) as
// github.com/aws/aws-sdk-go-v2/config loads it, with these overrides.
type Config struct {
	Region      string // --region; "" for the chain's
	Profile     string // --profile; "" for the chain's
	EndpointURL string // --endpoint-url: one endpoint for every service (a local emulator); "" for AWS's
}

// Clients are the API clients audit calls.
type Clients struct {
	Config    Config
	Region    string // the API's region
	APIs      *apigateway.Client
	STS       *sts.Client
	lambdas   map[string]*lambda.Client
	awsConfig aws.Config
}

// Connect loads the credentials and region and makes the clients.
func Connect(ctx context.Context, c Config) (*Clients, error) {
	var opts []func(*config.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %v", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no region: give --region, or set AWS_REGION or a region in the profile")
	}
	cl := &Clients{Config: c, Region: cfg.Region, awsConfig: cfg, lambdas: map[string]*lambda.Client{}}
	cl.APIs = apigateway.NewFromConfig(cfg, func(o *apigateway.Options) { o.BaseEndpoint = endpoint(c) })
	cl.STS = sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = endpoint(c) })
	return cl, nil
}

func endpoint(c Config) *string {
	if c.EndpointURL == "" {
		return nil
	}
	return aws.String(c.EndpointURL)
}

// lambdaIn is a Lambda client for a function's region ("" for the API's).
func (cl *Clients) lambdaIn(region string) *lambda.Client {
	if region == "" || strings.Contains(region, "${") {
		region = cl.Region
	}
	if c, ok := cl.lambdas[region]; ok {
		return c
	}
	c := lambda.NewFromConfig(cl.awsConfig, func(o *lambda.Options) {
		o.Region = region
		o.BaseEndpoint = endpoint(cl.Config)
	})
	cl.lambdas[region] = c
	return c
}

// method is one method of the API's current definition.
type method struct {
	ResourceID string
	Path       string
	HTTPMethod string
	Def        types.Method
}

// key is how a method is named: POST /jobs.
func (m method) key() string { return m.HTTPMethod + " " + m.Path }

// definition is the API's current definition, as GetResources shows it.
type definition struct {
	ID, Name         string
	BinaryMediaTypes []string
	Tags             map[string]string
	Methods          []method
}

// readDefinition reads the API and every method of it, with their
// integrations: GetResources with embed=methods, page by page.
func (cl *Clients) readDefinition(ctx context.Context, id string, pageSize int32) (definition, error) {
	api, err := cl.APIs.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &id})
	if err != nil {
		return definition{}, callError("reading the REST API "+id, err)
	}
	d := definition{ID: id, Name: deref(api.Name), BinaryMediaTypes: api.BinaryMediaTypes, Tags: api.Tags}
	if pageSize <= 0 {
		pageSize = 500
	}
	pages := apigateway.NewGetResourcesPaginator(cl.APIs, &apigateway.GetResourcesInput{
		RestApiId: &id, Embed: []string{"methods"}, Limit: &pageSize,
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return definition{}, callError("reading the resources of the REST API "+id, err)
		}
		for _, r := range page.Items {
			for _, name := range sortedKeys(r.ResourceMethods) {
				m := r.ResourceMethods[name]
				d.Methods = append(d.Methods, method{ResourceID: deref(r.Id), Path: deref(r.Path), HTTPMethod: name, Def: m})
			}
		}
	}
	slices.SortFunc(d.Methods, func(a, b method) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.HTTPMethod, b.HTTPMethod)
	})
	return d, nil
}

// account is the account the credentials belong to, and its partition:
// those of the API, which the credentials can read.
func (cl *Clients) account(ctx context.Context) (account, partition string, err error) {
	out, err := cl.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", callError("finding the account of the credentials", err)
	}
	partition = "aws"
	if segs := strings.Split(deref(out.Arn), ":"); len(segs) > 1 && segs[1] != "" {
		partition = segs[1]
	}
	return deref(out.Account), partition, nil
}

// stage is a stage of the API and what it has deployed.
type stage struct {
	Name         string
	DeploymentID string
	Variables    map[string]string
	export       []byte // the stage's OpenAPI export, with integrations
	exportErr    error
}

// readStage reads a stage and exports what it has deployed.
func (cl *Clients) readStage(ctx context.Context, api, name string) (*stage, error) {
	out, err := cl.APIs.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &api, StageName: &name})
	if err != nil {
		return nil, callError("reading the stage "+name+" of the REST API "+api, err)
	}
	s := &stage{Name: name, DeploymentID: deref(out.DeploymentId), Variables: out.Variables}
	if s.Variables == nil {
		s.Variables = map[string]string{}
	}
	exp, err := cl.APIs.GetExport(ctx, &apigateway.GetExportInput{
		RestApiId: &api, StageName: &name, ExportType: aws.String("oas30"),
		Accepts: aws.String("application/json"), Parameters: map[string]string{"extensions": "integrations"},
	})
	if err != nil {
		s.exportErr = callError("exporting the stage "+name, err)
	} else {
		s.export = exp.Body
	}
	return s, nil
}

// stageNames reads the names of the API's stages (GetStages), sorted.
func (cl *Clients) stageNames(ctx context.Context, api string) ([]string, error) {
	out, err := cl.APIs.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: &api})
	if err != nil {
		return nil, callError("reading the stages of the REST API "+api, err)
	}
	names := []string{}
	for _, s := range out.Item {
		names = append(names, deref(s.StageName))
	}
	slices.Sort(names)
	return names, nil
}

// function is what Lambda says of a function, alias or version.
type function struct {
	exists    bool
	err       error // reading it failed (not found is exists == false)
	policy    *policy
	policyErr error
	async     AsyncSettings
	asyncErr  error
}

// readFunction reads a target's configuration, policy and asynchronous
// invocation settings.
func (cl *Clients) readFunction(ctx context.Context, t Target) *function {
	f := &function{}
	c := cl.lambdaIn(t.Region)
	name, q := t.unqualified(), t.policyQualifier()
	var qualifier *string
	if q != "" {
		qualifier = &q
	}
	conf, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &name, Qualifier: qualifier})
	var nf *lambdatypes.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		return f
	case err != nil:
		f.err = callError("reading the function "+t.String(), err)
		return f
	}
	f.exists = true
	pol, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: &name, Qualifier: qualifier})
	switch {
	case errors.As(err, &nf):
		f.policy = &policy{} // a function without a policy allows nothing
	case err != nil:
		f.policyErr = callError("reading the policy of "+t.String(), err)
	default:
		p, err := parsePolicy(deref(pol.Policy))
		if err != nil {
			f.policyErr = err
		} else {
			f.policy = &p
			f.policy.size = len(deref(pol.Policy))
		}
	}
	if conf.DeadLetterConfig != nil {
		f.async.DeadLetter = deref(conf.DeadLetterConfig.TargetArn)
	}
	f.async.MaximumRetryAttempts = int32(cfn.MaximumRetryAttempts.Default) // Lambda's defaults
	f.async.MaximumEventAgeInSeconds = int32(cfn.MaximumEventAgeInSeconds.Default)
	cq := t.Qualifier
	if cq == "" {
		cq = "$LATEST"
	}
	eic, err := c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: &name, Qualifier: &cq})
	switch {
	case errors.As(err, &nf):
	case err != nil:
		f.asyncErr = callError("reading the asynchronous invocation settings of "+t.String(), err)
	default:
		f.async.Configured = true
		if eic.MaximumRetryAttempts != nil {
			f.async.MaximumRetryAttempts = *eic.MaximumRetryAttempts
		}
		if eic.MaximumEventAgeInSeconds != nil {
			f.async.MaximumEventAgeInSeconds = *eic.MaximumEventAgeInSeconds
		}
		if d := eic.DestinationConfig; d != nil {
			if d.OnFailure != nil {
				f.async.OnFailure = deref(d.OnFailure.Destination)
			}
			if d.OnSuccess != nil {
				f.async.OnSuccess = deref(d.OnSuccess.Destination)
			}
		}
	}
	return f
}

// AsyncSettings are a function's settings for asynchronous invocations:
// its EventInvokeConfig (Lambda's defaults without one) and its
// dead-letter queue.
type AsyncSettings struct {
	Configured               bool   `json:"configured"` // an EventInvokeConfig exists
	MaximumRetryAttempts     int32  `json:"maximumRetryAttempts"`
	MaximumEventAgeInSeconds int32  `json:"maximumEventAgeInSeconds"`
	OnFailure                string `json:"onFailure,omitempty"`
	OnSuccess                string `json:"onSuccess,omitempty"`
	DeadLetter               string `json:"deadLetterQueue,omitempty"`
}
