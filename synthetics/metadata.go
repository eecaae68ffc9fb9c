package synthetics

import (
	"regexp"
	"strings"
)

// CIMetadata reads the CI provider, pipeline URL, branch and commit of
// the current CI job from the standard environment variables of the
// common CI providers, as datadog-ci does (packages/base/src/helpers/ci.ts),
// with DD_GIT_BRANCH and DD_GIT_COMMIT_SHA overriding the git values
// (helpers/user-provided-git.ts). getenv is the caller's: smoke reads
// the environment in its command only. It returns nil outside CI.
func CIMetadata(getenv func(string) string) *Metadata {
	var m Metadata
	switch {
	case getenv("GITHUB_ACTIONS") != "" || getenv("GITHUB_ACTION") != "":
		m.Provider = "github"
		if server, repo, run := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"); server != "" && repo != "" && run != "" {
			m.PipelineURL = server + "/" + repo + "/actions/runs/" + run
			if a := getenv("GITHUB_RUN_ATTEMPT"); a != "" {
				m.PipelineURL += "/attempts/" + a
			}
		}
		m.Branch = firstOf(getenv("GITHUB_HEAD_REF"), getenv("GITHUB_REF"))
		m.CommitSHA = getenv("GITHUB_SHA")
	case getenv("GITLAB_CI") != "":
		m = Metadata{Provider: "gitlab", PipelineURL: getenv("CI_PIPELINE_URL"), Branch: getenv("CI_COMMIT_REF_NAME"), CommitSHA: getenv("CI_COMMIT_SHA")}
	case getenv("CIRCLECI") != "":
		m = Metadata{Provider: "circleci", PipelineURL: getenv("CIRCLE_BUILD_URL"), Branch: getenv("CIRCLE_BRANCH"), CommitSHA: getenv("CIRCLE_SHA1")}
	case getenv("JENKINS_URL") != "":
		m = Metadata{Provider: "jenkins", PipelineURL: getenv("BUILD_URL"), Branch: getenv("GIT_BRANCH"), CommitSHA: getenv("GIT_COMMIT")}
	case getenv("BUILDKITE") != "":
		m = Metadata{Provider: "buildkite", PipelineURL: getenv("BUILDKITE_BUILD_URL"), Branch: getenv("BUILDKITE_BRANCH"), CommitSHA: getenv("BUILDKITE_COMMIT")}
	case getenv("TRAVIS") != "":
		m = Metadata{Provider: "travisci", PipelineURL: getenv("TRAVIS_BUILD_WEB_URL"), Branch: firstOf(getenv("TRAVIS_PULL_REQUEST_BRANCH"), getenv("TRAVIS_BRANCH")), CommitSHA: getenv("TRAVIS_COMMIT")}
	case getenv("TF_BUILD") != "":
		m.Provider = "azurepipelines"
		if base, project, build := getenv("SYSTEM_TEAMFOUNDATIONSERVERURI"), getenv("SYSTEM_TEAMPROJECTID"), getenv("BUILD_BUILDID"); base != "" && project != "" && build != "" {
			m.PipelineURL = strings.TrimSuffix(base, "/") + "/" + project + "/_build/results?buildId=" + build
		}
		m.Branch = firstOf(getenv("SYSTEM_PULLREQUEST_SOURCEBRANCH"), getenv("BUILD_SOURCEBRANCH"), getenv("BUILD_SOURCEBRANCHNAME"))
		m.CommitSHA = firstOf(getenv("SYSTEM_PULLREQUEST_SOURCECOMMITID"), getenv("BUILD_SOURCEVERSION"))
	case getenv("BITBUCKET_COMMIT") != "":
		m.Provider = "bitbucket"
		if repo, build := getenv("BITBUCKET_REPO_FULL_NAME"), getenv("BITBUCKET_BUILD_NUMBER"); repo != "" && build != "" {
			m.PipelineURL = "https://bitbucket.org/" + repo + "/addon/pipelines/home#!/results/" + build
		}
		m.Branch = getenv("BITBUCKET_BRANCH")
		m.CommitSHA = getenv("BITBUCKET_COMMIT")
	}
	if b := getenv("DD_GIT_BRANCH"); b != "" {
		m.Branch = b
	}
	if sha := getenv("DD_GIT_COMMIT_SHA"); sha != "" {
		m.CommitSHA = sha
	}
	m.Branch = normalizeRef(m.Branch)
	m.PipelineURL = withoutCredentials(m.PipelineURL)
	if m == (Metadata{}) {
		return nil
	}
	return &m
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// refPrefix is what datadog-ci strips from a branch (utils.ts,
// normalizeRef).
var refPrefix = regexp.MustCompile(`origin/|refs/heads/|tags/`)

func normalizeRef(ref string) string {
	return refPrefix.ReplaceAllString(ref, "")
}

// userinfo finds credentials in a URL, which datadog-ci removes too
// (filterSensitiveInfoFromRepository).
var userinfo = regexp.MustCompile(`^(https?://)[^/@]+@`)

func withoutCredentials(u string) string {
	return userinfo.ReplaceAllString(u, "$1")
}
