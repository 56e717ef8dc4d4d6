package message

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/hearth-chat/hearth/internal/apierr"
	"github.com/hearth-chat/hearth/internal/text"
)

// MaxBodyBytes is the most a message's MsgBody may hold (12 KB, all
// elements together).
const MaxBodyBytes = 12 * 1024

// element field kinds: what each MsgContent field must be.
type kind int

const (
	str kind = iota
	num
)

// elements lists the message element types and the type of each known
// MsgContent field, as the hosted message-format page defines them;
// required fields are marked.
var elements = map[string]map[string]kind{
	"TIMTextElem":      {"Text": str},
	"TIMLocationElem":  {"Desc": str, "Latitude": num, "Longitude": num},
	"TIMFaceElem":      {"Index": num, "Data": str},
	"TIMCustomElem":    {"Data": str, "Desc": str, "Ext": str, "Sound": str},
	"TIMSoundElem":     {"Url": str, "UUID": str, "Size": num, "Second": num, "Download_Flag": num},
	"TIMImageElem":     {"UUID": str, "ImageFormat": num},
	"TIMFileElem":      {"Url": str, "UUID": str, "FileSize": num, "FileName": str, "Download_Flag": num},
	"TIMVideoFileElem": {"VideoUrl": str, "VideoUUID": str, "VideoSize": num, "VideoSecond": num, "VideoFormat": str, "VideoDownloadFlag": num, "ThumbUrl": str, "ThumbUUID": str, "ThumbSize": num, "ThumbWidth": num, "ThumbHeight": num, "ThumbFormat": str, "ThumbDownloadFlag": num},
}

// required are the fields an element must carry.
var required = map[string][]string{
	"TIMTextElem":     {"Text"},
	"TIMLocationElem": {"Latitude", "Longitude"},
	"TIMFaceElem":     {"Index"},
}

type element struct {
	MsgType    string                     `json:"MsgType"`
	MsgContent map[string]json.RawMessage `json:"MsgContent"`
}

// CheckBody validates a MsgBody and returns it as compact JSON: a non-empty
// array of known elements with fields of the right types, at most one
// TIMCustomElem, at most MaxBodyBytes in all. badParam and tooLong are the
// API's codes for a malformed and an oversized body.
func CheckBody(raw json.RawMessage, badParam, tooLong int) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, apierr.New(badParam, "MsgBody is required")
	}
	var elems []element
	if raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, apierr.New(badParam, "MsgBody must be an array of {MsgType, MsgContent} elements")
	}
	if len(elems) == 0 {
		return nil, apierr.New(badParam, "MsgBody is empty")
	}
	// Kept as sent: its bytes must be UTF-8 and no string in it a NUL, as
	// for every text (the decode above replaced bad bytes, the raw did not).
	if p := text.JSONProblem(raw); p != "" {
		return nil, apierr.New(badParam, "MsgBody %s", p)
	}
	custom := 0
	for i, e := range elems {
		fields, ok := elements[e.MsgType]
		if !ok {
			return nil, apierr.New(badParam, "MsgBody[%d]: unknown MsgType %q", i, e.MsgType)
		}
		if e.MsgContent == nil {
			return nil, apierr.New(badParam, "MsgBody[%d]: MsgContent must be an object", i)
		}
		if e.MsgType == "TIMCustomElem" {
			if custom++; custom > 1 {
				return nil, apierr.New(badParam, "MsgBody holds more than one TIMCustomElem")
			}
		}
		for _, f := range required[e.MsgType] {
			if _, ok := e.MsgContent[f]; !ok {
				return nil, apierr.New(badParam, "MsgBody[%d]: %s needs %s", i, e.MsgType, f)
			}
		}
		for name, v := range e.MsgContent {
			k, known := fields[name]
			if !known {
				continue // fields of newer clients pass through
			}
			if err := checkKind(v, k); err != nil {
				return nil, apierr.New(badParam, "MsgBody[%d]: %s.%s %v", i, e.MsgType, name, err)
			}
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, apierr.New(badParam, "MsgBody is not valid JSON")
	}
	if buf.Len() > MaxBodyBytes {
		return nil, apierr.New(tooLong, "MsgBody is %d bytes; a message holds at most %d", buf.Len(), MaxBodyBytes)
	}
	return buf.Bytes(), nil
}

func checkKind(v json.RawMessage, k kind) error {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0:
		return fmt.Errorf("is empty")
	case k == str && v[0] != '"':
		return fmt.Errorf("must be a string")
	case k == num && (v[0] == '"' || v[0] == '{' || v[0] == '[' || v[0] == 't' || v[0] == 'f' || v[0] == 'n'):
		return fmt.Errorf("must be a number")
	}
	return nil
}
