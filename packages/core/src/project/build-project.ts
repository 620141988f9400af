export type ImagePullCredentialsType = 'CODEBUILD' | 'SERVICE_ROLE';

/** A CodeBuild project, reduced to what decides its pulls. */
export interface BuildProject {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  /** The build role; CodeBuild requires one, but events may lack it. */
  serviceRoleArn?: string;
  /** The environment image URI, verbatim. */
  image: string;
  /** CodeBuild's default, when the project does not say, is CODEBUILD. */
  imagePullCredentialsType: ImagePullCredentialsType;
  /** CodeBuild tags (`key`/`value` in the API), as a map. */
  tags: Record<string, string>;
}
