package synthetics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/DataDog/datadog-api-client-go/v2/api/datadogV1"
)

// bodyTypes maps media types to the body types Datadog knows
// (SyntheticsTestRequestBodyType in its v1 document).
var bodyTypes = map[string]datadogV1.SyntheticsTestRequestBodyType{
	"text/plain":                        datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_TEXT_PLAIN,
	"application/json":                  datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_APPLICATION_JSON,
	"text/xml":                          datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_TEXT_XML,
	"application/xml":                   datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_TEXT_XML,
	"text/html":                         datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_TEXT_HTML,
	"application/x-www-form-urlencoded": datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_APPLICATION_X_WWW_FORM_URLENCODED,
	"application/graphql":               datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_GRAPHQL,
	"application/octet-stream":          datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_APPLICATION_OCTET_STREAM,
	"multipart/form-data":               datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_MULTIPART_FORM_DATA,
}

// bodyType maps a content type to Datadog's body types: JSON and XML by
// their structured suffixes too; any other text (YAML, CSV, …) is sent
// as text/plain, its own Content-Type header kept.
func bodyType(ct string) (datadogV1.SyntheticsTestRequestBodyType, bool) {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", false
	}
	if bt, ok := bodyTypes[mt]; ok {
		return bt, true
	}
	switch {
	case strings.HasSuffix(mt, "+json"):
		return datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_APPLICATION_JSON, true
	case strings.HasSuffix(mt, "+xml"):
		return datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_TEXT_XML, true
	}
	return datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_TEXT_PLAIN, true
}

// body sets the request body, its type and Content-Type. A multipart
// body becomes Datadog's form fields and files: Datadog builds the body,
// and its boundary, itself.
func (m *mapper) body(req *datadogV1.SyntheticsTestRequest, headers map[string]string) error {
	b := m.c.Request.Body
	if b == nil {
		return nil
	}
	if len(b.Text) > MaxBodyBytes {
		return fmt.Errorf("request body of %d bytes: %w (%d bytes; exclude the operation or give a smaller fixture)", len(b.Text), ErrTooLarge, MaxBodyBytes)
	}
	if b.ContentType == "" {
		req.SetBody(b.Text)
		return nil
	}
	bt, _ := bodyType(b.ContentType)
	req.SetBodyType(bt)
	if bt == datadogV1.SYNTHETICSTESTREQUESTBODYTYPE_MULTIPART_FORM_DATA {
		return multipartForm(req, b.ContentType, b.Text)
	}
	req.SetBody(b.Text)
	headers["Content-Type"] = b.ContentType
	return nil
}

// multipartForm splits a multipart body into form fields and files.
func multipartForm(req *datadogV1.SyntheticsTestRequest, ct, body string) error {
	_, params, err := mime.ParseMediaType(ct)
	if err != nil || params["boundary"] == "" {
		return fmt.Errorf("multipart body: Content-Type %q has no boundary", ct)
	}
	r := multipart.NewReader(strings.NewReader(body), params["boundary"])
	form := map[string]string{}
	var files []datadogV1.SyntheticsTestRequestBodyFile
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("multipart body: %w", err)
		}
		var content bytes.Buffer
		if _, err := content.ReadFrom(p); err != nil {
			return fmt.Errorf("multipart body: part %q: %w", p.FormName(), err)
		}
		if p.FileName() == "" {
			form[p.FormName()] = content.String()
			continue
		}
		f := datadogV1.SyntheticsTestRequestBodyFile{}
		f.SetName(p.FormName())
		f.SetOriginalFileName(p.FileName())
		f.SetContent(content.String())
		f.SetSize(int64(content.Len()))
		typ := p.Header.Get("Content-Type")
		if typ == "" {
			typ = "application/octet-stream"
		}
		f.SetType(typ)
		files = append(files, f)
	}
	if len(form) > 0 {
		req.SetForm(form)
	}
	if len(files) > 0 {
		req.SetFiles(files)
	}
	return nil
}
