// minio-users gives the local MinIO a least-privilege user for the services: it (re)creates the user
// with the given secret and attaches a policy that allows object work on the named buckets only (and on
// the tests' per-file buckets, which the tests create with the root user). Idempotent: run on every start.
//
//	minio-users -endpoint 127.0.0.1:9010 -user taskyard-svc -policy taskyard-services -buckets taskyard,t-*
//
// The root credentials come from MINIO_ROOT_USER / MINIO_ROOT_PASSWORD, the user's secret from
// MINIO_SERVICE_SECRET (never on the command line, where `ps` would show it).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/minio/madmin-go/v3"
)

type statement struct {
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

type policy struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

// bucketPolicy allows listing and object reads, writes and deletes in the buckets; nothing else (no
// bucket creation or deletion, no admin API, no other buckets).
func bucketPolicy(buckets []string) ([]byte, error) {
	var bucketArns, objectArns []string
	for _, b := range buckets {
		bucketArns = append(bucketArns, "arn:aws:s3:::"+b)
		objectArns = append(objectArns, "arn:aws:s3:::"+b+"/*")
	}
	return json.Marshal(policy{
		Version: "2012-10-17",
		Statement: []statement{
			{Effect: "Allow", Action: []string{"s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"}, Resource: bucketArns},
			{Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}, Resource: objectArns},
		},
	})
}

func run() error {
	endpoint := flag.String("endpoint", "127.0.0.1:9000", "MinIO host:port")
	user := flag.String("user", "taskyard-svc", "the services' access key")
	policyName := flag.String("policy", "taskyard-services", "the policy's name")
	buckets := flag.String("buckets", "taskyard", "comma-separated bucket names or patterns")
	flag.Parse()
	secret := os.Getenv("MINIO_SERVICE_SECRET")
	if len(secret) < 8 {
		return fmt.Errorf("MINIO_SERVICE_SECRET must hold the user's secret (8+ characters)")
	}
	adm, err := madmin.New(*endpoint, os.Getenv("MINIO_ROOT_USER"), os.Getenv("MINIO_ROOT_PASSWORD"), false)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	doc, err := bucketPolicy(strings.Split(*buckets, ","))
	if err != nil {
		return err
	}
	if err := adm.AddCannedPolicy(ctx, *policyName, doc); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	if err := adm.AddUser(ctx, *user, secret); err != nil {
		return fmt.Errorf("user: %w", err)
	}
	if err := adm.SetPolicy(ctx, *policyName, *user, false); err != nil {
		return fmt.Errorf("attach policy: %w", err)
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "minio-users:", err)
		os.Exit(1)
	}
}
