// The Go flows of kvconform's client phase: the official azcertificates module, unmodified, against a vault.
//
// conformance/clients/_go.py builds this program once per source hash and reads its stdout, one JSON object a
// line, in the protocol of the JS script (js/flows.mjs):
//
//	{"type": "start", "sdk": "azcertificates v1.4.0", "runtime": "go1.26"}
//	{"type": "sign", "csr": "<base64 DER>"}   answered on stdin with {"x5c": ["<leaf>", "<ca>"]} (base64 DER)
//	{"type": "flow", "flow": "CANCEL", "status": "pass|fail|error", "message", "step", "error", "exchange", "trail"}
//	{"type": "cleanup", "leftovers": ["certificate … (…)"]}
//
// Settings come from the environment (KVCONFORM_CLIENT_*); the token is never printed (Authorization is masked).
// The SDK has no poller for certificates: the program polls GetCertificateOperation as its README shows.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates"
)

const sdkModule = "github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates"

var flowNames = []string{"CREATE-SELF", "OPERATION", "CANCEL", "MANUAL", "READ", "DELETE"}

// -- output and the stdin channel ------------------------------------------------------------------------------

var out = json.NewEncoder(os.Stdout)
var answers = newScanner()

func newScanner() *bufio.Scanner {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<16), 1<<24)
	return scanner
}

func emit(message map[string]any) {
	out.SetEscapeHTML(false)
	_ = out.Encode(message)
}

func ask(message map[string]any) (map[string]any, error) {
	emit(message)
	if !answers.Scan() {
		return nil, errors.New("no answer on stdin")
	}
	var answer map[string]any
	err := json.Unmarshal(answers.Bytes(), &answer)
	return answer, err
}

// -- recording: every exchange the SDK makes, Authorization masked ---------------------------------------------

type exchange struct {
	Method          string            `json:"method"`
	URL             string            `json:"url"`
	RequestHeaders  map[string]string `json:"request_headers"`
	RequestBody     *string           `json:"request_body"`
	Status          *int              `json:"status"`
	ResponseHeaders map[string]string `json:"response_headers"`
	ResponseText    string            `json:"response_text"`
	Elapsed         float64           `json:"elapsed"`
	Error           *string           `json:"error"`
}

type recorder struct {
	client *http.Client
	mu     sync.Mutex
	trail  []*exchange
}

func headersOf(header http.Header) map[string]string {
	result := map[string]string{}
	for name, values := range header {
		value := strings.Join(values, ", ")
		if strings.EqualFold(name, "authorization") {
			value = "***"
		}
		result[strings.ToLower(name)] = value
	}
	return result
}

// Do sends the request and keeps a copy of both bodies (the SDK's transport hook: azcore's policy.Transporter).
func (r *recorder) Do(request *http.Request) (*http.Response, error) {
	entry := &exchange{Method: request.Method, URL: request.URL.String(), RequestHeaders: headersOf(request.Header)}
	if request.Body != nil && request.Body != http.NoBody {
		data, err := io.ReadAll(request.Body)
		_ = request.Body.Close()
		if err != nil {
			return nil, err
		}
		request.Body = io.NopCloser(bytes.NewReader(data))
		request.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		text := string(data)
		entry.RequestBody = &text
	}
	r.mu.Lock()
	r.trail = append(r.trail, entry)
	r.mu.Unlock()
	started := time.Now()
	response, err := r.client.Do(request)
	entry.Elapsed = time.Since(started).Seconds()
	if err != nil {
		text := err.Error()
		entry.Error = &text
		return response, err
	}
	data, readErr := io.ReadAll(response.Body)
	_ = response.Body.Close()
	response.Body = io.NopCloser(bytes.NewReader(data))
	status := response.StatusCode
	entry.Status = &status
	entry.ResponseHeaders = headersOf(response.Header)
	entry.ResponseText = string(data)
	return response, readErr
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.trail = nil
	r.mu.Unlock()
}

func (r *recorder) pick(match string) *exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	if match != "" {
		for index := len(r.trail) - 1; index >= 0; index-- {
			if parsed, err := url.Parse(r.trail[index].URL); err == nil && strings.Contains(parsed.Path, match) {
				return r.trail[index]
			}
		}
	}
	if len(r.trail) == 0 {
		return nil
	}
	return r.trail[len(r.trail)-1]
}

// staticToken is the credential: the token kvconform was given, whatever the scope.
type staticToken struct{ token string }

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: s.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// -- settings --------------------------------------------------------------------------------------------------

var (
	client   *azcertificates.Client
	record   *recorder
	prefix   = os.Getenv("KVCONFORM_CLIENT_PREFIX")
	interval = millis("KVCONFORM_CLIENT_POLL_MS", 1000)
	timeout  = millis("KVCONFORM_CLIENT_TIMEOUT_MS", 120000)
	names    []string
	step     string
)

func millis(name string, fallback int) time.Duration {
	value, err := strconv.Atoi(os.Getenv(name))
	if err != nil || value <= 0 {
		value = fallback
	}
	return time.Duration(value) * time.Millisecond
}

func transport() (*http.Client, error) {
	config := &tls.Config{MinVersion: tls.VersionTLS12}
	if os.Getenv("KVCONFORM_CLIENT_INSECURE") == "1" {
		config.InsecureSkipVerify = true
	} else if file := os.Getenv("KVCONFORM_CLIENT_CA_FILE"); file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificate in %s", file)
		}
		config.RootCAs = pool
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: config, Proxy: http.ProxyFromEnvironment}}, nil
}

func sdkVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, module := range info.Deps {
			if module.Path == sdkModule {
				return module.Version
			}
		}
	}
	return "(unknown)"
}

// -- helpers ---------------------------------------------------------------------------------------------------

type flowFailure struct{ message, match string }

func (f *flowFailure) Error() string { return f.message }

func fail(match, format string, args ...any) error {
	return &flowFailure{message: fmt.Sprintf(format, args...), match: match}
}

func at(description string) { step = description }

func nameFor(label string) string {
	name := fmt.Sprintf("%s%s-%d", prefix, label, len(names)+1)
	names = append(names, name)
	return name
}

func statusCode(err error) int {
	var response *azcore.ResponseError
	if errors.As(err, &response) {
		return response.StatusCode
	}
	return 0
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), timeout)
}

func manualPolicy() azcertificates.CreateCertificateParameters {
	return azcertificates.CreateCertificateParameters{CertificatePolicy: &azcertificates.CertificatePolicy{
		IssuerParameters:          &azcertificates.IssuerParameters{Name: to.Ptr("Unknown")},
		X509CertificateProperties: &azcertificates.X509CertificateProperties{Subject: to.Ptr("CN=kvconform-client")},
	}}
}

// selfPolicy is the default policy of the other SDKs (issuer Self, subject CN=DefaultPolicy): Go has no constant.
func selfPolicy() azcertificates.CreateCertificateParameters {
	return azcertificates.CreateCertificateParameters{CertificatePolicy: &azcertificates.CertificatePolicy{
		IssuerParameters:          &azcertificates.IssuerParameters{Name: to.Ptr("Self")},
		X509CertificateProperties: &azcertificates.X509CertificateProperties{Subject: to.Ptr("CN=DefaultPolicy")},
		KeyProperties: &azcertificates.KeyProperties{
			KeyType: to.Ptr(azcertificates.KeyTypeRSA), KeySize: to.Ptr(int32(2048)), Exportable: to.Ptr(true),
			ReuseKey: to.Ptr(false),
		},
		SecretProperties: &azcertificates.SecretProperties{ContentType: to.Ptr("application/x-pkcs12")},
	}}
}

func text(value *string) string {
	if value == nil {
		return "<none>"
	}
	return *value
}

func createManual(name string) (azcertificates.CertificateOperation, error) {
	c, cancel := ctx()
	defer cancel()
	at("CreateCertificate(issuer Unknown)")
	created, err := client.CreateCertificate(c, name, manualPolicy(), nil)
	if err != nil {
		return azcertificates.CertificateOperation{}, err
	}
	if created.Status == nil || *created.Status != "inProgress" {
		return created.CertificateOperation, fail("/pending", "the create answered status %s, expected inProgress", text(created.Status))
	}
	at("GetCertificateOperation(name)")
	operation, err := client.GetCertificateOperation(c, name, nil)
	return operation.CertificateOperation, err
}

// pollOperation reads the operation until it leaves inProgress, as a Go user of the SDK has to.
func pollOperation(name string) (azcertificates.CertificateOperation, error) {
	deadline := time.Now().Add(timeout)
	for {
		c, cancel := ctx()
		operation, err := client.GetCertificateOperation(c, name, nil)
		cancel()
		if err != nil {
			return operation.CertificateOperation, err
		}
		if operation.Status == nil || !strings.EqualFold(*operation.Status, "inProgress") {
			return operation.CertificateOperation, nil
		}
		if time.Now().After(deadline) {
			return operation.CertificateOperation, fail("/pending", "the operation was still inProgress after %s (--timeout)", timeout)
		}
		time.Sleep(interval)
	}
}

// createMerged creates name for a manual merge and merges a certificate signed for its CSR.
func createMerged(name string) error {
	operation, err := createManual(name)
	if err != nil {
		return err
	}
	return merge(name, operation)
}

func merge(name string, operation azcertificates.CertificateOperation) error {
	if len(operation.CSR) == 0 {
		return fail("/pending", "the operation carries no CSR to sign")
	}
	signed, err := ask(map[string]any{"type": "sign", "csr": base64.StdEncoding.EncodeToString(operation.CSR)})
	if err != nil {
		return err
	}
	if problem, ok := signed["error"]; ok {
		return fail("/pending", "the operation's csr could not be signed: %v", problem)
	}
	var chain [][]byte
	for _, item := range signed["x5c"].([]any) {
		der, _ := base64.StdEncoding.DecodeString(item.(string))
		chain = append(chain, der)
	}
	c, cancel := ctx()
	defer cancel()
	at("MergeCertificate(name, [leaf, ca])")
	merged, err := client.MergeCertificate(c, name, azcertificates.MergeCertificateParameters{X509Certificates: chain}, nil)
	if err != nil {
		return err
	}
	if !bytes.Equal(merged.CER, chain[0]) {
		return fail("", "the merged certificate's cer is not the leaf")
	}
	return nil
}

func expectNotFound(err error, what string) error {
	if err == nil {
		return fail("", "%s is still readable; expected an *azcore.ResponseError with StatusCode 404", what)
	}
	if statusCode(err) == http.StatusNotFound {
		return nil
	}
	return err
}

// -- the flows -------------------------------------------------------------------------------------------------

var flows = map[string]func() error{
	"CREATE-SELF": func() error {
		name := nameFor("self")
		c, cancel := ctx()
		defer cancel()
		at("CreateCertificate(issuer Self)")
		if _, err := client.CreateCertificate(c, name, selfPolicy(), nil); err != nil {
			return err
		}
		at("GetCertificateOperation(name) until it leaves inProgress")
		operation, err := pollOperation(name)
		if err != nil {
			return err
		}
		if operation.Status == nil || *operation.Status != "completed" {
			return fail("/pending", "status %s, expected completed", text(operation.Status))
		}
		at("GetCertificate(name)")
		certificate, err := client.GetCertificate(c, name, "", nil)
		if err != nil {
			return err
		}
		if len(certificate.CER) == 0 {
			return fail("", "the completed certificate has no cer")
		}
		return nil
	},

	"OPERATION": func() error {
		name := nameFor("op")
		operation, err := createManual(name)
		if err != nil {
			return err
		}
		if operation.Status == nil || *operation.Status != "inProgress" {
			return fail("/pending", "status %s, expected inProgress", text(operation.Status))
		}
		if len(operation.CSR) == 0 {
			return fail("/pending", "the operation carries no CSR")
		}
		c, cancel := ctx()
		defer cancel()
		at("CreateCertificate(name) again while inProgress")
		_, err = client.CreateCertificate(c, name, manualPolicy(), nil)
		if err == nil {
			return fail("", "the second create was accepted; expected an *azcore.ResponseError with StatusCode 409")
		}
		if statusCode(err) != http.StatusConflict {
			return fail("", "%s; expected an *azcore.ResponseError with StatusCode 409", describe(err))
		}
		return nil
	},

	"CANCEL": func() error {
		name := nameFor("cancel")
		if _, err := createManual(name); err != nil {
			return err
		}
		c, cancel := ctx()
		defer cancel()
		at("UpdateCertificateOperation(name, cancellation_requested true)")
		update := azcertificates.UpdateCertificateOperationParameter{CancellationRequested: to.Ptr(true)}
		operation, err := client.UpdateCertificateOperation(c, name, update, nil)
		if err != nil {
			return err
		}
		if operation.CancellationRequested == nil || !*operation.CancellationRequested {
			return fail("", "cancellation_requested is not true after the cancel")
		}
		at("DeleteCertificateOperation(name)")
		if _, err := client.DeleteCertificateOperation(c, name, nil); err != nil {
			return err
		}
		at("GetCertificateOperation(name) after the delete")
		_, err = client.GetCertificateOperation(c, name, nil)
		return expectNotFound(err, "the deleted operation")
	},

	"MANUAL": func() error {
		name := nameFor("merge")
		if err := createMerged(name); err != nil {
			return err
		}
		c, cancel := ctx()
		defer cancel()
		at("GetCertificateOperation(name) after the merge")
		after, err := client.GetCertificateOperation(c, name, nil)
		if err != nil {
			return err
		}
		if after.Status == nil || *after.Status != "completed" {
			return fail("/pending", "status %s, expected completed", text(after.Status))
		}
		return nil
	},

	"READ": func() error {
		name := nameFor("read")
		operation, err := createManual(name)
		if err != nil {
			return err
		}
		c, cancel := ctx()
		defer cancel()
		at("GetCertificate(name) while pending")
		pending, err := client.GetCertificate(c, name, "", nil)
		if err != nil {
			return err
		}
		if pending.ID == nil || !strings.EqualFold(pending.ID.Name(), name) {
			return fail("", "the pending certificate is not named %s", name)
		}
		at("NewListCertificatePropertiesPager(IncludePending true)")
		listed := false
		pager := client.NewListCertificatePropertiesPager(&azcertificates.ListCertificatePropertiesOptions{IncludePending: to.Ptr(true)})
		for pager.More() {
			page, err := pager.NextPage(c)
			if err != nil {
				return err
			}
			for _, item := range page.Value {
				if item.ID != nil && strings.EqualFold(item.ID.Name(), name) {
					listed = true
				}
			}
		}
		if !listed {
			return fail("/certificates", "the pending certificate is not listed")
		}
		if err := merge(name, operation); err != nil {
			return err
		}
		at("GetCertificate(name) after the merge")
		certificate, err := client.GetCertificate(c, name, "", nil)
		if err != nil {
			return err
		}
		if len(certificate.CER) == 0 || certificate.ID == nil {
			return fail("", "the merged certificate has no cer or no id")
		}
		at("GetCertificate(name, version)")
		if _, err := client.GetCertificate(c, name, certificate.ID.Version(), nil); err != nil {
			return err
		}
		at("GetCertificatePolicy(name)")
		policy, err := client.GetCertificatePolicy(c, name, nil)
		if err != nil {
			return err
		}
		if policy.IssuerParameters == nil || !strings.EqualFold(text(policy.IssuerParameters.Name), "unknown") {
			return fail("", "the policy's issuer is not Unknown")
		}
		return nil
	},

	"DELETE": func() error {
		name := nameFor("delete")
		if err := createMerged(name); err != nil {
			return err
		}
		c, cancel := ctx()
		defer cancel()
		at("DeleteCertificate(name)")
		deleted, err := client.DeleteCertificate(c, name, nil)
		if err != nil {
			return err
		}
		if deleted.ID == nil || !strings.EqualFold(deleted.ID.Name(), name) {
			return fail("", "no deleted certificate")
		}
		if deleted.RecoveryID != nil {
			at("GetDeletedCertificate(name) until it is readable, then PurgeDeletedCertificate(name)")
			if err := purge(name); err != nil {
				return err
			}
		}
		at("GetCertificate(name) after the delete")
		_, err = client.GetCertificate(c, name, "", nil)
		return expectNotFound(err, "the deleted certificate")
	},
}

// purge waits for the soft-deleted certificate (the deletion completes in the background), then purges it.
func purge(name string) error {
	deadline := time.Now().Add(timeout)
	for {
		c, cancel := ctx()
		_, err := client.GetDeletedCertificate(c, name, nil)
		cancel()
		if err == nil {
			break
		}
		if statusCode(err) != http.StatusNotFound || time.Now().After(deadline) {
			return err
		}
		time.Sleep(interval)
	}
	return purgeNow(name, deadline)
}

// purgeNow purges the soft-deleted certificate. Right after the delete the real service can answer 409
// (ObjectIsBeingDeleted), which is transient (facts file): retried until the deadline.
func purgeNow(name string, deadline time.Time) error {
	for {
		c, cancel := ctx()
		_, err := client.PurgeDeletedCertificate(c, name, nil)
		cancel()
		if err == nil || statusCode(err) != http.StatusConflict || time.Now().After(deadline) {
			return err
		}
		time.Sleep(interval)
	}
}

func describe(err error) string {
	var response *azcore.ResponseError
	if errors.As(err, &response) {
		return fmt.Sprintf("*azcore.ResponseError (StatusCode %d) [%s]", response.StatusCode, response.ErrorCode)
	}
	return fmt.Sprintf("%T: %s", err, strings.SplitN(err.Error(), "\n", 2)[0])
}

func isUnreachable(err error) bool {
	var response *azcore.ResponseError
	var failure *flowFailure
	return err != nil && !errors.As(err, &response) && !errors.As(err, &failure) && !strings.Contains(err.Error(), "challenge")
}

func runFlow(flow string) map[string]any {
	record.reset()
	step = "start"
	named := len(names)
	started := time.Now()
	result := map[string]any{"type": "flow", "flow": flow, "status": "pass", "message": "", "step": "", "error": ""}
	if err := flows[flow](); err != nil {
		var failure *flowFailure
		isFailure := errors.As(err, &failure)
		unreachable := isUnreachable(err)
		reached := false
		for _, entry := range record.trail {
			reached = reached || entry.Status != nil
		}
		if unreachable && !reached {
			names = names[:named] // nothing of this flow reached the target: nothing to remove
		}
		match := ""
		switch {
		case isFailure:
			result["status"], result["error"], result["message"] = "fail", failure.message, failure.message
			match = failure.match
		case unreachable:
			result["status"], result["error"] = "error", describe(err)
			result["message"] = "the target could not be reached: " + describe(err)
		default:
			result["status"], result["error"] = "fail", describe(err)
			result["message"] = "the SDK returned " + describe(err)
		}
		result["step"] = step
		result["exchange"] = record.pick(match)
		record.mu.Lock()
		result["trail"] = append([]*exchange(nil), record.trail...)
		record.mu.Unlock()
	}
	result["duration"] = time.Since(started).Seconds()
	emit(result)
	return result
}

func remove(name string) error {
	c, cancel := ctx()
	defer cancel()
	_, _ = client.DeleteCertificateOperation(c, name, nil) // no operation (any more)
	deleted, err := client.DeleteCertificate(c, name, nil)
	if err != nil && statusCode(err) != http.StatusNotFound {
		return err
	}
	if err != nil { // deleted already: purge what may be left in the soft-deleted state
		if err := purgeNow(name, time.Now().Add(timeout)); err != nil && statusCode(err) != http.StatusNotFound {
			return err
		}
	} else if deleted.RecoveryID != nil {
		return purge(name)
	}
	return nil
}

func main() {
	http, err := transport()
	if err != nil {
		emit(map[string]any{"type": "fatal", "error": err.Error()})
		os.Exit(1)
	}
	record = &recorder{client: http}
	token := os.Getenv("KVCONFORM_CLIENT_TOKEN")
	if token == "" {
		token = "kvconform-no-auth"
	}
	options := &azcertificates.ClientOptions{
		DisableChallengeResourceVerification: os.Getenv("KVCONFORM_CLIENT_VERIFY_CHALLENGE") != "1",
	}
	options.Transport = record
	options.Retry = policy.RetryOptions{MaxRetries: 2}
	options.Telemetry = policy.TelemetryOptions{ApplicationID: os.Getenv("KVCONFORM_CLIENT_USER_AGENT")}
	client, err = azcertificates.NewClient(os.Getenv("KVCONFORM_CLIENT_VAULT"), staticToken{token}, options)
	if err != nil {
		emit(map[string]any{"type": "fatal", "error": err.Error()})
		os.Exit(1)
	}
	emit(map[string]any{"type": "start", "sdk": "azcertificates " + sdkVersion(), "runtime": runtime.Version()})
	only := flowNames
	if value := os.Getenv("KVCONFORM_CLIENT_FLOWS"); value != "" {
		only = strings.Split(value, ",")
	}
	unreachable := ""
	for _, flow := range flowNames {
		if !contains(only, flow) {
			continue
		}
		if unreachable != "" {
			emit(map[string]any{"type": "flow", "flow": flow, "status": "error", "message": "not run: " + unreachable, "step": "", "error": ""})
			continue
		}
		result := runFlow(flow)
		if result["status"] == "error" {
			unreachable = fmt.Sprintf("%v: %v", result["step"], result["message"])
		}
	}
	leftovers := []string{}
	for index, name := range names {
		if err := remove(name); err != nil {
			if isUnreachable(err) {
				reason := "go client cleanup: the target could not be reached: " + describe(err)
				for _, left := range names[index:] {
					leftovers = append(leftovers, fmt.Sprintf("certificate %s (%s)", left, reason))
				}
				break
			}
			leftovers = append(leftovers, fmt.Sprintf("certificate %s (go client cleanup: %s)", name, describe(err)))
		}
	}
	emit(map[string]any{"type": "cleanup", "leftovers": leftovers})
}

func contains(items []string, item string) bool {
	for _, candidate := range items {
		if candidate == item {
			return true
		}
	}
	return false
}
