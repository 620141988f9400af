/**
 * Looks IAM roles and users up in moto directly, in the account named by
 * their ARN. moto picks the account from the `x-moto-account-id` header, so
 * no credentials are needed; the Authorization header only tells moto's
 * dispatcher which service is meant.
 */
export interface IamPrincipal {
  arn: string;
  /** `AROA...` for roles, `AIDA...` for users. */
  uniqueId: string;
}

const IAM_ARN =
  /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)((?:\/[^/]+)*)\/([^/]+)$/;

export function parseIamArn(arn: string) {
  const match = IAM_ARN.exec(arn);
  if (!match) return undefined;
  const [, accountId, kind, path, name] = match as unknown as [
    string,
    string,
    'role' | 'user',
    string,
    string,
  ];

  return { accountId, kind, path: `${path}/`, name };
}

export class IamDirectory {
  constructor(private readonly target: string) {}

  /** The principal behind `arn` now, or undefined when it does not exist. */
  async find(arn: string): Promise<IamPrincipal | undefined> {
    const parsed = parseIamArn(arn);
    if (!parsed) return undefined;
    const role = parsed.kind === 'role';
    const form = new URLSearchParams({
      Action: role ? 'GetRole' : 'GetUser',
      [role ? 'RoleName' : 'UserName']: parsed.name,
      Version: '2010-05-08',
    });
    const response = await fetch(`${this.target}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-moto-account-id': parsed.accountId,
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAREALISMLOOKUP000/20260101/' +
          'us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: form.toString(),
    });
    const text = await response.text();
    if (response.status === 404 || text.includes('NoSuchEntity')) {
      return undefined;
    }
    if (!response.ok) {
      throw new Error(`IAM lookup of ${arn}: HTTP ${response.status} ${text}`);
    }
    const foundArn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
    const idTag = role ? 'RoleId' : 'UserId';
    const uniqueId = new RegExp(`<${idTag}>([^<]+)</${idTag}>`).exec(text)?.[1];
    // Same name under another path is another principal.
    if (foundArn !== arn || uniqueId === undefined) return undefined;

    return { arn, uniqueId };
  }
}
