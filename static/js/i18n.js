// zh-CN by default; the English switch is remembered (localStorage, and a
// `lang` cookie so the server can answer in the same language).
//
// Every user-facing string of the front end lives here, as [zh, en]. Pages
// mark text with data-i18n="key" and attributes with
// data-i18n-attr="aria-label:key; placeholder:key".
const texts = {
  'site.title': ['科学技术部政务服务平台', 'Ministry of Science and Technology Online Services'],
  'site.platform': ['科学技术部政务服务平台', 'MOST Online Government Services'],
  'site.system': ['外国人来华工作管理服务系统', 'Foreign Work in China Management Service System'],
  'site.skip': ['跳到主要内容', 'Skip to main content'],
  'site.footer': ['科学技术部政务服务平台 · 外国人来华工作管理服务系统（开源重建版）', 'MOST Online Government Services · Foreign Work in China Management Service System (open-source rebuild)'],
  'nav.label': ['账号', 'Account'],
  'nav.login': ['登录', 'Log in'],
  'nav.register': ['注册', 'Register'],
  'nav.account': ['我的账号', 'My account'],
  'nav.logged_in_as': ['当前登录：', 'Logged in as '],

  'form.error_summary': ['请修正以下问题', 'Please fix the following'],
  'form.required': ['（必填）', '(required)'],
  'form.optional': ['（选填）', '(optional)'],
  'form.working': ['正在提交…', 'Submitting…'],
  'form.loading': ['正在加载…', 'Loading…'],
  'form.next_steps': ['您可以：', 'What you can do:'],

  // Fields
  'field.login_name': ['登录名', 'Login name'],
  'field.login_name.hint': ['4–50 位字母、数字或 _ - . @，以字母或数字开头', '4-50 letters, digits or _ - . @, starting with a letter or digit'],
  'field.login_name.login_hint': ['原外国人来华工作管理服务系统的账号：登录名为 WP+原登录名，也可以用原登录名', 'Accounts from the old foreign-work system: WP + the old name, or the old name itself'],
  'field.password': ['密码', 'Password'],
  'field.password.hint': ['至少 8 个字符，可以用一句好记的话（允许空格、中文和任何符号）；不能包含登录名、单位名称或统一社会信用代码', 'At least 8 characters; a memorable phrase works well (spaces, any language and any symbols are allowed). It cannot contain the login name, organization name or USCC'],
  'field.password.login_hint': ['密码区分大小写', 'Passwords are case-sensitive'],
  'field.password_confirm': ['确认密码', 'Confirm password'],
  'field.password_confirm.hint': ['再输入一次密码', 'Enter the password again'],
  'field.org_name': ['法人单位名称', 'Organization name'],
  'field.org_name.hint': ['与营业执照（或登记证书）上的名称完全一致', 'Exactly as on the business licence (or registration certificate)'],
  'field.uscc': ['统一社会信用代码', 'Unified Social Credit Code (USCC)'],
  'field.uscc.hint': ['18 位，由数字和大写字母组成（不含 I、O、Z、S、V），见营业执照，例如 91350100M000100Y43', '18 digits and capital letters (no I, O, Z, S or V), as on the business licence, e.g. 91350100M000100Y43'],
  'field.mobile': ['手机号码', 'Mobile number'],
  'field.mobile.hint': ['中国大陆手机号 11 位，例如 13812341234；其他地区请加国际区号，例如 +85291234567。找回密码时也用这个号码', 'Mainland China: 11 digits, e.g. 13812341234; elsewhere with the country code, e.g. +85291234567. Password resets use this number too'],
  'field.sms_code': ['短信验证码', 'SMS code'],
  'field.sms_code.hint': ['先点击“获取验证码”，再填写短信中的数字验证码', 'Press “Send code”, then enter the digits from the text message'],
  'field.real_name': ['姓名', 'Full name'],
  'field.real_name.hint': ['与证件上的姓名一致；外国人请按护照填写', 'As on your identity document; foreigners as in the passport'],
  'field.document_type': ['证件类型', 'Document type'],
  'field.document_type.hint': ['选择您用来实名认证的证件', 'The document you will use for real-name verification'],
  'field.document_type.choose': ['请选择', 'Please choose'],
  'field.document_number': ['证件号码', 'Document number'],
  'field.document_number.hint': ['先选择证件类型', 'Choose the document type first'],
  'field.nationality': ['国籍', 'Nationality'],
  'field.nationality.hint': ['持普通护照时必填。3 位字母的国家代码（ISO 3166-1 alpha-3），例如 USA、GBR、DEU、JPN', 'Required with a passport. The 3-letter country code (ISO 3166-1 alpha-3), e.g. USA, GBR, DEU, JPN'],

  'doc.resident_id': ['居民身份证', 'Resident identity card'],
  'doc.permanent_resident_id': ['外国人永久居留身份证', 'Foreign permanent resident ID card'],
  'doc.passport': ['普通护照', 'Passport'],
  'doc.hk_mo_permit': ['港澳居民来往内地通行证', 'Mainland travel permit for Hong Kong and Macao residents'],
  'doc.tw_permit': ['台湾居民来往大陆通行证', 'Mainland travel permit for Taiwan residents'],
  'doc.hk_mo_tw_residence_permit': ['港澳台居民居住证', 'Residence permit for Hong Kong, Macao and Taiwan residents'],
  'doc.resident_id.hint': ['18 位，最后一位可能是 X', '18 characters; the last one may be X'],
  'doc.permanent_resident_id.hint': ['2023 版：以 9 开头的 18 位数字；旧版：3 位国籍字母 + 12 位数字', '2023 version: 18 digits starting with 9; older version: 3-letter nationality + 12 digits'],
  'doc.passport.hint': ['5–20 位字母或数字，与护照资料页一致', '5-20 letters or digits, as on the passport data page'],
  'doc.hk_mo_permit.hint': ['H 或 M 开头，后接 8 位数字（旧版为 10 位）', 'H or M followed by 8 digits (older permits: 10 digits)'],
  'doc.tw_permit.hint': ['8 位数字', '8 digits'],
  'doc.hk_mo_tw_residence_permit.hint': ['18 位，以 810000、820000 或 830000 开头', '18 characters starting with 810000, 820000 or 830000'],

  'account.kind.legal_entity': ['法人（单位用户）', 'Legal entity (organization)'],
  'account.kind.natural_person': ['自然人', 'Natural person'],

  // Home
  'home.title': ['首页 - 科学技术部政务服务平台', 'Home - MOST Online Government Services'],
  'home.heading': ['服务事项', 'Service items'],
  'home.intro': ['登录后选择要办理的业务入口。法人（单位用户）和经单位授权的自然人办理外国人来华工作许可；持 R 字签证的外国人用自然人账号更新信息。', 'Log in, then choose the entry for your business. Legal entities (organizations) and natural persons they authorized handle work permits; R-visa holders update their information with a natural-person account.'],
  'home.entry.work_permit': ['外国人来华工作许可办理业务入口', 'Work-permit entry'],
  'home.entry.work_permit.who': ['法人（单位用户）或经单位授权的自然人', 'Legal entities, or natural persons an organization authorized'],
  'home.entry.r_visa': ['持R字签证信息更新系统入口', 'R-visa info-update entry'],
  'home.entry.r_visa.who': ['持 R 字签证的自然人', 'Natural persons holding an R visa'],
  'home.first_entry': ['新注册的账号首次进入时，请按要求填写单位（或个人）信息并提交，审核通过后即可办理业务（约 1 个工作日）。', 'The first time a new account enters, fill in the organization (or personal) information and submit it; once it is approved (about 1 working day) you can do business.'],
  'home.new.heading': ['第一次来？', 'New here?'],
  'home.new.text': ['注册前请先检索登录名、单位名称和统一社会信用代码是否已注册：您的单位可能已有法人账号，原外国人来华工作管理服务系统的账号登录名为 WP+原登录名。', 'Before registering, check whether your login name, organization name or USCC is already registered: your organization may already have a legal-entity account, and accounts from the old foreign-work system log in as WP + the old name.'],
  'home.new.link': ['检索是否已注册', 'Check whether you are registered'],
  'home.help.heading': ['登录遇到问题？', 'Trouble logging in?'],
  'home.help.reset': ['忘记密码', 'Forgot password'],
  'home.help.appeal': ['申诉找回账号', 'Recover an account (appeal)'],

  // Registration check (/register)
  'register.title': ['用户注册 - 科学技术部政务服务平台', 'Register - MOST Online Government Services'],
  'register.heading': ['用户注册', 'Register'],
  'register.intro': ['注册前请先检索，避免重复注册：登录名已被注册时可以重置密码；单位已有法人账号时请询问同事或申诉找回。', 'Check first so you do not register twice: if the login name is registered you can reset its password; if your organization already has a legal-entity account, ask your colleagues or file an appeal.'],
  'check.step1': ['第一步：检索登录名', 'Step 1: check the login name'],
  'check.heading': ['检索登录名是否已注册', 'Check whether a login name is registered'],
  'check.intro': [
    '原外国人来华工作管理服务系统的账号迁移后登录名为 WP+原登录名。忘记是否注册过？先在这里检索。',
    'Accounts migrated from the old foreign-work system log in as WP + the old name. Not sure whether you registered? Check here first.',
  ],
  'check.submit': ['检索登录名', 'Check login name'],
  'check.registered': ['登录名已被注册', 'The login name is registered'],
  'check.available': ['登录名未被注册', 'The login name is not registered'],
  'org.step2': ['第二步：检索单位名称和统一社会信用代码', 'Step 2: check the organization name and USCC'],
  'org.intro': ['填写其中一项或两项。只要有一项已存在，说明您的单位已有法人账号。', 'Fill in one or both. If either exists, your organization already has a legal-entity account.'],
  'org.submit': ['检索单位', 'Check organization'],
  'org.need_one': ['请填写法人单位名称或统一社会信用代码（至少一项）。', 'Please enter the organization name or the USCC (at least one).'],
  'org.result': ['检索结果', 'Result'],
  'org.org_name_registered': ['法人单位名称“{v}”已被注册', 'The organization name “{v}” is registered'],
  'org.org_name_free': ['法人单位名称“{v}”未被注册', 'The organization name “{v}” is not registered'],
  'org.uscc_registered': ['统一社会信用代码 {v} 已被注册', 'The USCC {v} is registered'],
  'org.uscc_free': ['统一社会信用代码 {v} 未被注册', 'The USCC {v} is not registered'],
  'register.step3': ['第三步：选择注册类型', 'Step 3: choose the account type'],
  'register.step3.text': ['单位（用人单位）注册法人账号；个人（包括持 R 字签证的外国人、单位的经办人）注册自然人账号。', 'Organizations (employers) register a legal-entity account; individuals (including R-visa holders and an organization\'s staff) register a natural-person account.'],
  'register.legal_entity': ['注册单位用户（法人）', 'Register an organization (legal entity)'],
  'register.natural_person': ['注册自然人用户', 'Register a natural person'],

  // Registration forms
  'reg.le.title': ['单位用户（法人）注册 - 科学技术部政务服务平台', 'Register an organization - MOST Online Government Services'],
  'reg.le.heading': ['单位用户（法人）注册', 'Register an organization (legal entity)'],
  'reg.le.intro': ['还没检索过？请先到“用户注册”页检索单位名称和统一社会信用代码是否已注册。', 'Not checked yet? First check on the Register page whether the organization name or USCC is already registered.'],
  'reg.np.title': ['自然人用户注册 - 科学技术部政务服务平台', 'Register a natural person - MOST Online Government Services'],
  'reg.np.heading': ['自然人用户注册', 'Register a natural person'],
  'reg.np.intro': ['单位的经办人员和持 R 字签证的外国人注册自然人账号。单位授权后，自然人账号即可办理该单位的外国人来华工作许可业务。', 'An organization\'s staff and R-visa holders register a natural-person account. Once an organization authorizes it, the account can handle that organization\'s work-permit business.'],
  'reg.check_link': ['检索是否已注册', 'Check whether you are registered'],
  'reg.section.account': ['账号信息', 'Account'],
  'reg.section.org': ['单位信息', 'Organization'],
  'reg.section.person': ['个人信息', 'Personal details'],
  'reg.section.mobile': ['手机验证', 'Mobile verification'],
  'reg.submit': ['注册', 'Register'],
  'reg.password_mismatch': ['两次输入的密码不一致，请重新输入确认密码。', 'The two passwords do not match; please enter the confirmation again.'],
  'reg.missing': ['请填写{f}。', '{f} is required.'],
  'reg.missing_choice': ['请选择{f}。', '{f}: please choose one.'],
  'reg.success': ['注册成功', 'Registration complete'],
  'reg.success.text': ['您的账号已创建。请用登录名和密码登录。', 'Your account has been created. Log in with the login name and password.'],
  'reg.success.login': ['去登录', 'Log in'],
  'sms.send': ['获取验证码', 'Send code'],
  'sms.resend_in': ['重新发送（{n} 秒）', 'Resend in {n} s'],
  'sms.resend': ['重新获取验证码', 'Send a new code'],
  'sms.sending': ['正在发送…', 'Sending…'],
  'sms.sent': ['验证码已发送至 {m}，{n} 分钟内有效。', 'A code was sent to {m}; it is valid for {n} minutes.'],
  'sms.need_mobile': ['请先填写手机号码，再获取验证码。', 'Please enter the mobile number first, then send the code.'],
  'sms.retry_in': ['发送过于频繁，请在 {n} 秒后重试。', 'Sent too recently; try again in {n} seconds.'],

  // Login
  'login.title': ['用户登录 - 科学技术部政务服务平台', 'Log in - MOST Online Government Services'],
  'login.heading': ['用户登录', 'Log in'],
  'login.tabs': ['登录类型', 'Account type'],
  'login.legal_entity': ['法人登录', 'Legal-entity login'],
  'login.natural_person': ['自然人登录', 'Natural-person login'],
  'login.legal_entity.hint': ['单位（用人单位）的法人账号在这里登录。', 'Organizations (employers) log in here with their legal-entity account.'],
  'login.natural_person.hint': ['个人账号在这里登录。原外国人来华工作管理服务系统的账号如果已转为自然人账号，也在这里登录。', 'Personal accounts log in here, including accounts from the old foreign-work system that became natural-person accounts.'],
  'login.submit': ['登录', 'Log in'],
  'login.forgot': ['忘记密码', 'Forgot password'],
  'login.no_account': ['还没有账号？', 'No account yet?'],
  'login.register': ['检索并注册', 'Check and register'],
  'login.use_natural_person': ['改用自然人登录', 'Use natural-person login'],
  'login.use_legal_entity': ['改用法人登录', 'Use legal-entity login'],
  'login.wrong_type.heading': ['请换一种登录类型', 'Use the other login type'],
  'login.help.heading': ['登录名或密码错误时，请依次尝试：', 'If the login name or password is wrong, try these in order:'],
  'login.help.wp': ['原外国人来华工作管理服务系统的账号：在原登录名前加 WP（WP+原登录名）再登录。', 'An account from the old foreign-work system: add WP before the old name (WP + old name) and log in again.'],
  'login.help.try_wp': ['用 {name} 再试', 'Try {name}'],
  'login.help.other_type': ['您的单位已有法人账号时，原账号会转为自然人账号：请选择自然人登录。', 'If your organization already had a legal-entity account, the old account became a natural-person account: choose natural-person login.'],
  'login.help.other_type_np': ['如果这是单位的法人账号，请选择法人登录。', 'If this is an organization\'s legal-entity account, choose legal-entity login.'],
  'login.help.check': ['仍然不行？检索登录名是否已注册', 'Still failing? Check whether the login name is registered'],
  'login.help.reset': ['忘记密码：用登录名重置密码', 'Forgot the password: reset it by login name'],
  'login.retry_in': ['请在 {n} 秒后重试。', 'Please try again in {n} seconds.'],

  // Password reset (/password-reset)
  'reset.title': ['登录名重置密码 - 科学技术部政务服务平台', 'Reset password - MOST Online Government Services'],
  'reset.heading': ['登录名重置密码', 'Reset password by login name'],
  'reset.intro': ['填写登录名，验证码会发送到该账号注册时预留的手机号。验证后设置新密码；重置后，所有设备上的登录都会退出。', 'Enter the login name: a code goes to the mobile number the account reserved when it registered. Then set a new password; every device logged in to the account is logged out.'],
  'reset.back': ['用户登录', 'Log in'],
  'reset.step1': ['第一步：获取短信验证码', 'Step 1: get an SMS code'],
  'reset.step2': ['第二步：设置新密码', 'Step 2: set a new password'],
  'reset.no_mobile_note': ['没有预留手机号，或手机号已停用？请申诉找回账号。', 'No reserved mobile, or the number is no longer yours? Recover the account with an appeal.'],
  'reset.appeal': ['申诉找回账号', 'Recover an account (appeal)'],
  'reset.sms_code.hint': ['短信中的 6 位数字', 'The 6 digits from the text message'],
  'reset.new_password': ['新密码', 'New password'],
  'reset.new_password.hint': ['至少 8 个字符，可以用一句好记的话（允许空格、中文和任何符号）；不能包含登录名、单位名称、统一社会信用代码或证件号码', 'At least 8 characters; a memorable phrase works well (spaces, any language and any symbols are allowed). It cannot contain the login name, organization name, USCC or document number'],
  'reset.new_password_confirm': ['确认新密码', 'Confirm the new password'],
  'reset.new_password_confirm.hint': ['再输入一次新密码（只在本页核对，不会发送）', 'Enter the new password again (checked on this page only, never sent)'],
  'reset.submit': ['重置密码', 'Reset password'],
  'reset.need_code_first': ['请先获取短信验证码。', 'Please get an SMS code first.'],
  'reset.try_wp': ['原系统账号？用 {name} 获取验证码', 'From the old system? Send the code for {name}'],
  'reset.success': ['密码已重置，所有登录已退出', 'Password reset; every session is logged out'],
  'reset.success.text': ['请用新密码登录。所有设备上的登录都已退出，预留手机号会收到一条“密码已修改”的短信。', 'Log in with the new password. Every device was logged out, and the reserved mobile gets a text saying the password changed.'],
  'reset.success.login': ['用新密码登录', 'Log in with the new password'],

  // Account
  'account.title': ['我的账号 - 科学技术部政务服务平台', 'My account - MOST Online Government Services'],
  'account.heading': ['我的账号', 'My account'],
  'account.login_name': ['登录名', 'Login name'],
  'account.kind': ['账号类型', 'Account type'],
  'account.org_name': ['法人单位名称', 'Organization name'],
  'account.real_name': ['姓名', 'Full name'],
  'account.mobile': ['预留手机号', 'Reserved mobile'],
  'account.services': ['办理业务', 'Do business'],
  'account.logout': ['退出登录', 'Log out'],
  'account.logout_failed': ['退出登录失败，请重试。', 'Logging out failed; please try again.'],

  // Appeals (/appeal, /appeal/legal-entity, /appeal/natural-person, /appeal/status)
  'appeal.title': ['申诉找回账号 - 科学技术部政务服务平台', 'Recover an account (appeal) - MOST Online Government Services'],
  'appeal.heading': ['申诉找回账号', 'Recover an account (appeal)'],
  'appeal.intro': ['忘记了账号、账号没有预留手机号或手机号已停用时，可以申诉找回：填写信息、上传证件扫描件、验证新手机号。审核约 1 个工作日，通过后新手机号会收到登录名和设置密码的验证码。', 'If you forgot the account, or it has no reserved mobile or the number is no longer yours, file a recovery appeal: fill in the details, upload scans and verify a new mobile. Review takes about 1 working day; once approved, the new mobile gets the login name and a code to set the password.'],
  'appeal.first_try': ['先试试更快的办法：', 'Try the quicker ways first:'],
  'appeal.first_try.reset': ['记得登录名且预留手机号可用：用登录名重置密码', 'You know the login name and the reserved mobile still works: reset the password'],
  'appeal.first_try.check': ['不确定是否注册过：检索登录名、单位名称或统一社会信用代码', 'Not sure you registered: check the login name, organization name or USCC'],
  'appeal.le.choice': ['单位法人申诉找回', 'Legal-entity recovery appeal'],
  'appeal.le.when': ['单位已有法人账号（检索提示单位名称或统一社会信用代码已注册，或实名认证提示单位名称、信用代码已存在），但没有同事知道账号或密码。需要上传法人代表或经办人的身份证正反面扫描件，加盖单位公章并由本人签字。', 'The organization already has a legal-entity account (the check says its name or USCC is registered, or verification says they already exist), but no colleague knows the account or password. You upload scans of the ID card front and back, stamped with the official seal and signed.'],
  'appeal.np.choice': ['自然人申诉找回', 'Natural-person recovery appeal'],
  'appeal.np.when': ['您的证件已绑定在本平台的一个自然人账号上（实名认证提示证件号码已存在），但您登录不了这个账号。需要上传证件正反面扫描件。', 'Your identity document is bound to a natural-person account here (verification says the document number already exists), but you cannot log in to it. You upload scans of the document front and back.'],
  'appeal.status_link': ['已提交申诉？查询申诉进度', 'Already filed? Check the appeal status'],
  'appeal.le.title': ['单位法人申诉找回 - 科学技术部政务服务平台', 'Legal-entity recovery appeal - MOST Online Government Services'],
  'appeal.le.heading': ['单位法人申诉找回', 'Legal-entity recovery appeal'],
  'appeal.le.intro': ['找回单位的法人账号：填写单位信息和申请人信息，上传加盖公章并本人签字的身份证正反面扫描件，验证新手机号。审核通过后，新手机号成为账号的预留手机号。', 'Recover the organization\'s legal-entity account: fill in the organization and applicant details, upload scans of the ID card front and back stamped with the official seal and signed, and verify a new mobile. Once approved, the new mobile becomes the account\'s reserved mobile.'],
  'appeal.np.title': ['自然人申诉找回 - 科学技术部政务服务平台', 'Natural-person recovery appeal - MOST Online Government Services'],
  'appeal.np.heading': ['自然人申诉找回', 'Natural-person recovery appeal'],
  'appeal.np.intro': ['找回绑定了您证件的自然人账号：填写姓名和证件，上传证件正反面扫描件，验证新手机号。审核通过后，新手机号成为账号的预留手机号。', 'Recover the natural-person account bound to your document: fill in your name and document, upload scans of its front and back, and verify a new mobile. Once approved, the new mobile becomes the account\'s reserved mobile.'],
  'appeal.back': ['申诉找回账号', 'Recover an account (appeal)'],
  'appeal.section.org': ['单位信息', 'Organization'],
  'appeal.section.applicant': ['申请人信息', 'Applicant'],
  'appeal.section.applicant.hint': ['申请人是办理本次申诉的人（法定代表人本人或单位经办人），证件扫描件是申请人的证件。', 'The applicant is the person filing this appeal (the legal representative or a member of staff); the scans are of the applicant\'s document.'],
  'appeal.section.person': ['个人信息', 'Personal details'],
  'appeal.section.files': ['证件扫描件', 'Scans'],
  'appeal.files.rules': ['每个文件为 JPEG、PNG 图片或 PDF，不超过 5 MB。请确保文字清晰、四角完整。', 'Each file: a JPEG or PNG image or a PDF, at most 5 MB. Make sure the text is legible and all four corners are visible.'],
  'appeal.section.mobile': ['新手机号', 'New mobile'],
  'appeal.section.mobile.hint': ['审核通过后，这个号码会成为账号的预留手机号，并收到登录名和设置密码的验证码；查询申诉进度也要用它。', 'Once approved, this number becomes the account\'s reserved mobile and receives the login name and a code to set the password; you also need it to check the appeal status.'],
  'field.legal_representative_name': ['法定代表人姓名', 'Legal representative\'s name'],
  'field.legal_representative_name.hint': ['与营业执照上的法定代表人一致', 'As on the business licence'],
  'field.applicant_name': ['申请人姓名', 'Applicant\'s name'],
  'field.applicant_name.hint': ['与申请人证件上的姓名一致', 'As on the applicant\'s identity document'],
  'field.applicant_document_type': ['申请人证件类型', 'Applicant\'s document type'],
  'field.applicant_document_type.hint': ['申请人用来证明身份的证件，与上传的扫描件一致', 'The document proving the applicant\'s identity, the same as the scans'],
  'field.applicant_document_number': ['申请人证件号码', 'Applicant\'s document number'],
  'field.applicant_nationality': ['申请人国籍', 'Applicant\'s nationality'],
  'field.np.document_type.hint': ['账号绑定的证件，与上传的扫描件一致', 'The document the account is bound to, the same as the scans'],
  'field.new_mobile': ['新手机号码', 'New mobile number'],
  'field.new_mobile.hint': ['能收短信的号码。中国大陆手机号 11 位，例如 13812341234；其他地区请加国际区号，例如 +85291234567', 'A number that receives texts. Mainland China: 11 digits, e.g. 13812341234; elsewhere with the country code, e.g. +85291234567'],
  'file.id_front': ['申请人身份证正面扫描件', 'Scan of the applicant\'s ID card, front'],
  'file.id_back': ['申请人身份证反面扫描件', 'Scan of the applicant\'s ID card, back'],
  'file.id.hint': ['加盖单位公章并由本人签字后扫描或拍照', 'Stamped with the official seal and signed by the applicant, then scanned or photographed'],
  'file.business_licence': ['营业执照扫描件', 'Scan of the business licence'],
  'file.business_licence.hint': ['有助于更快核实单位', 'Helps verify the organization faster'],
  'file.document_front': ['证件正面扫描件', 'Scan of the document, front'],
  'file.document_back': ['证件反面扫描件', 'Scan of the document, back'],
  'file.document.hint': ['护照请上传资料页；只有一面的证件，反面请上传资料页或签名页', 'For a passport upload the data page; for a one-sided document upload the data or signature page as the back'],
  'file.rules_short': ['JPEG、PNG 或 PDF，不超过 5 MB', 'JPEG, PNG or PDF, at most 5 MB'],
  'file.required': ['请上传{f}。', 'Please upload the {f}.'],
  'file.too_large': ['{f}过大（{size}），每个文件不超过 5 MB。请压缩图片或降低扫描分辨率后重新选择。', 'The {f} is too large ({size}); each file may be at most 5 MB. Compress the image or scan at a lower resolution, then choose it again.'],
  'file.wrong_type': ['{f}格式不支持：只接受 JPEG、PNG 图片或 PDF 文件。', 'The {f} is not an accepted type: only JPEG or PNG images and PDF files.'],
  'file.chosen': ['已选择：{name}（{size}）', 'Chosen: {name} ({size})'],
  'appeal.submit': ['提交申诉', 'File the appeal'],
  'appeal.success': ['申诉已提交', 'Appeal filed'],
  'appeal.success.note': ['请记下申诉编号', 'Please note the appeal number'],
  'appeal.number': ['申诉编号', 'Appeal number'],
  'appeal.due': ['预计审核完成', 'Review expected by'],
  'appeal.due.note': ['审核约 1 个工作日（周末和节假日顺延）。结果会以短信发送到新手机号。', 'Review takes about 1 working day (weekends and holidays excepted). The outcome is texted to the new mobile.'],
  'appeal.success.status': ['查询申诉进度', 'Check the appeal status'],

  'status.title': ['查询申诉进度 - 科学技术部政务服务平台', 'Appeal status - MOST Online Government Services'],
  'status.heading': ['查询申诉进度', 'Appeal status'],
  'status.intro': ['填写申诉编号和申诉时填写的新手机号。', 'Enter the appeal number and the new mobile given in the appeal.'],
  'field.appeal_number': ['申诉编号', 'Appeal number'],
  'field.appeal_number.hint': ['提交申诉后页面显示的编号，以 SS 开头，例如 SS202501021234567890', 'The number shown after filing, starting with SS, e.g. SS202501021234567890'],
  'field.status_mobile.hint': ['申诉时填写的新手机号', 'The new mobile given in the appeal'],
  'status.submit': ['查询', 'Check'],
  'status.kind': ['申诉类型', 'Appeal type'],
  'status.state': ['状态', 'Status'],
  'status.submitted_at': ['提交时间', 'Filed'],
  'status.due_at': ['预计审核完成', 'Review expected by'],
  'status.decided_at': ['审核时间', 'Decided'],
  'status.reason': ['未通过原因', 'Reason'],
  'status.submitted': ['申诉已提交', 'Submitted'],
  'status.submitted.text': ['申诉已提交，等待审核员处理。审核约 1 个工作日，结果会以短信发送到新手机号。', 'The appeal is filed and waiting for a reviewer. Review takes about 1 working day; the outcome is texted to the new mobile.'],
  'status.under_review': ['审核中', 'Under review'],
  'status.under_review.text': ['审核员正在审核您的申诉。审核约 1 个工作日，结果会以短信发送到新手机号。', 'A reviewer is reviewing your appeal. Review takes about 1 working day; the outcome is texted to the new mobile.'],
  'status.approved': ['已通过', 'Approved'],
  'status.approved.text': ['申诉已通过。新手机号已成为账号的预留手机号，并收到了一条短信，内有登录名和设置密码的验证码（24 小时内有效）。', 'The appeal is approved. The new mobile is now the account\'s reserved mobile and received a text with the login name and a code to set the password (valid for 24 hours).'],
  'status.approved.link': ['用短信中的验证码设置密码', 'Set the password with the code from the text'],
  'status.rejected': ['未通过', 'Rejected'],
  'status.rejected.text': ['申诉未通过。请按原因补充或更正材料后重新申诉。', 'The appeal was rejected. Correct or complete the documents as the reason says, then appeal again.'],
  'status.rejected.again': ['重新申诉', 'Appeal again'],
  'status.documents': ['已上传的扫描件', 'Uploaded scans'],
  'status.documents.note': ['审核期间可以下载核对；审核结束后不再提供。', 'You can download them to check while the appeal is under review; not afterwards.'],
  'status.download': ['下载', 'Download'],
  'status.need_number': ['请填写申诉编号。', 'Please enter the appeal number.'],
  'status.need_mobile': ['请填写申诉时填写的新手机号。', 'Please enter the new mobile given in the appeal.'],

  // Password reset with the appeal-approved SMS
  'reset.appeal_toggle': ['已收到申诉通过短信？直接设置密码', 'Got the appeal-approved SMS? Set your password'],
  'reset.normal_toggle': ['没有申诉通过短信？用登录名获取验证码', 'No appeal-approved SMS? Get a code by login name'],
  'reset.appeal.heading': ['申诉通过后设置密码', 'Set the password after an approved appeal'],
  'reset.appeal.intro': ['申诉通过的短信里有登录名和验证码（24 小时内有效）。填写它们和新密码即可；所有设备上的登录都会退出。', 'The appeal-approved text has the login name and a code (valid for 24 hours). Enter them and a new password; every device logged in to the account is logged out.'],
  'reset.appeal.step': ['设置新密码', 'Set a new password'],
  'reset.appeal.login_hint': ['申诉通过短信中的登录名', 'The login name in the appeal-approved text'],
  'reset.appeal.code_hint': ['申诉通过短信中的 6 位数字验证码', 'The 6-digit code in the appeal-approved text'],
  'reset.appeal.submit': ['设置密码', 'Set password'],
  'reset.appeal.success': ['密码已设置，所有登录已退出', 'Password set; every session is logged out'],

  // Back office (/review)
  'review.site': ['后台审核', 'Back-office review'],
  'review.nav': ['审核员', 'Reviewer'],
  'review.logout': ['退出', 'Log out'],
  'review.login.title': ['审核员登录 - 后台审核', 'Reviewer login - Back-office review'],
  'review.login.heading': ['审核员登录', 'Reviewer login'],
  'review.login.intro': ['后台审核员账号由其他审核员添加，不能自行注册。', 'Reviewer accounts are added by other reviewers; they cannot be self-registered.'],
  'review.login.submit': ['登录', 'Log in'],
  'review.queue.title': ['审核事项 - 后台审核', 'Review queue - Back-office review'],
  'review.queue.heading': ['审核事项', 'Review queue'],
  'review.queue.intro': ['每个事项应在提交后 1 个工作日内审核完毕（周末和节假日顺延）。先领取，再审核；领取后其他审核员不能处理。', 'Each item is due 1 working day after submission (weekends and holidays excepted). Claim it, then decide; once claimed, no other reviewer can act on it.'],
  'review.tabs': ['事项范围', 'Items'],
  'review.tab.open': ['待审核', 'Open'],
  'review.tab.decided': ['已审核', 'Decided'],
  'review.col.id': ['编号', 'No.'],
  'review.col.kind': ['类型', 'Type'],
  'review.col.submitted': ['提交时间', 'Submitted'],
  'review.col.due': ['截止时间', 'Due'],
  'review.col.claimed': ['领取人', 'Claimed by'],
  'review.col.state': ['状态', 'State'],
  'review.col.decided': ['审核时间', 'Decided'],
  'review.overdue': ['已超时', 'Overdue'],
  'review.unclaimed': ['未领取', 'Not claimed'],
  'review.me': ['我', 'me'],
  'review.reviewer_n': ['审核员 #{n}', 'Reviewer #{n}'],
  'review.open_item': ['查看事项 {n}', 'Open item {n}'],
  'review.empty.open': ['没有待审核的事项。', 'No open items.'],
  'review.empty.decided': ['还没有已审核的事项。', 'No decided items yet.'],
  'review.add.heading': ['添加审核员', 'Add a reviewer'],
  'review.add.intro': ['新审核员用这里设置的登录名和密码登录。', 'The new reviewer logs in with the login name and password set here.'],
  'review.add.submit': ['添加审核员', 'Add reviewer'],
  'review.add.done': ['已添加审核员 {name}。', 'Reviewer {name} added.'],
  'review.item.title': ['审核事项 - 后台审核', 'Review item - Back-office review'],
  'review.item.heading': ['审核事项 {n}', 'Review item {n}'],
  'review.item.back': ['审核事项', 'Review queue'],
  'review.item.missing': ['缺少事项编号。', 'The item number is missing.'],
  'review.item.summary': ['事项', 'Item'],
  'review.item.submitted': ['申诉填写的信息', 'What the appeal states'],
  'review.item.account': ['申诉找回的账号', 'The account it would recover'],
  'review.item.compare': ['请对照扫描件核对申诉信息，并确认与目标账号一致。', 'Check the stated details against the scans, and that they match the target account.'],
  'review.item.number': ['申诉编号', 'Appeal number'],
  'review.item.new_mobile': ['新手机号', 'New mobile'],
  'review.item.filed_at': ['提交时间', 'Filed'],
  'review.item.documents': ['扫描件', 'Scans'],
  'review.item.no_documents': ['没有扫描件。', 'No scans.'],
  'review.item.open_file': ['下载 {name}（{size}）', 'Download {name} ({size})'],
  'review.item.sha256': ['SHA-256', 'SHA-256'],
  'review.item.decide': ['审核', 'Decision'],
  'review.claim': ['领取', 'Claim'],
  'review.claimed_by_me': ['您已领取该事项。', 'You have claimed this item.'],
  'review.claim_first': ['领取后才能审核。', 'Claim the item to decide it.'],
  'review.claimed_by_other': ['该事项已由{who}领取。', 'This item is claimed by {who}.'],
  'review.approve': ['通过', 'Approve'],
  'review.approve.note': ['通过后：新手机号替换账号的预留手机号，账号的所有登录退出，新手机号收到登录名和设置密码的验证码。', 'On approval: the new mobile replaces the account\'s reserved mobile, every session of the account is logged out, and the new mobile gets the login name and a code to set the password.'],
  'review.reject': ['驳回', 'Reject'],
  'field.reason': ['驳回原因', 'Reason for rejection'],
  'field.reason.hint': ['申请人会在短信和进度页看到这段话：说明缺什么、怎么改，不超过 500 字', 'The applicant sees this in the text and on the status page: say what is missing and how to fix it; at most 500 characters'],
  'review.reason_needed': ['驳回时请填写原因。', 'Please give the reason for the rejection.'],
  'review.outcome': ['审核结果：{state}', 'Decision: {state}'],
  'review.outcome.by': ['审核人', 'Decided by'],
  'review.state.open': ['待审核', 'Open'],
  'review.state.approved': ['已通过', 'Approved'],
  'review.state.rejected': ['未通过', 'Rejected'],
  'review.field.org_name': ['单位名称', 'Organization name'],
  'review.field.document': ['证件', 'Document'],
  'review.field.mobile': ['预留手机号', 'Reserved mobile'],
  'review.field.kind': ['账号类型', 'Account type'],
  'review.none': ['—', '—'],

  'error.network': ['网络连接失败，请检查网络后重试。', 'The network request failed; check your connection and try again.'],
  'error.status': ['请求失败（{n}），请稍后重试。', 'The request failed ({n}); please try again later.'],
};

export function lang() {
  let saved = null;
  try { saved = localStorage.getItem('lang'); } catch { saved = null; }
  return saved === 'en' ? 'en' : 'zh';
}

/** The text of `key` in the current language, with {name} placeholders filled from `vars`. */
export function t(key, vars) {
  const pair = texts[key];
  let s = pair ? (lang() === 'en' ? pair[1] : pair[0]) : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/**
 * Both languages of `key`, as an API-style object (for form.js errors). A
 * value in `vars` may itself be such an object (e.g. both('field.uscc')).
 */
export function both(key, vars = {}) {
  const pair = texts[key] ?? [key, key];
  const fill = (s, i) => s.replace(/\{(\w+)\}/g, (m, k) => {
    if (!(k in vars)) return m;
    const v = vars[k];
    return typeof v === 'object' ? (i === 0 ? v.message_zh : v.message_en) : String(v);
  });
  return { message_zh: fill(pair[0], 0), message_en: fill(pair[1], 1) };
}

/** Picks the message of an API object in the current language. */
export function pick(obj, base = 'message') {
  if (!obj) return '';
  return obj[`${base}_${lang()}`] ?? obj[base] ?? '';
}

export function apply() {
  const l = lang();
  document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN';
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    for (const part of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = part.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
  const sw = document.getElementById('lang-switch');
  if (sw) {
    sw.textContent = l === 'en' ? '中文' : 'English';
    sw.lang = l === 'en' ? 'zh-CN' : 'en';
    sw.setAttribute('aria-label', l === 'en' ? '切换到中文' : 'Switch to English');
  }
}

/** A time (ms since the epoch) in China time, in the current language. */
export function formatTime(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(Number(ms))) return '—';
  return new Intl.DateTimeFormat(lang() === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(new Date(Number(ms)));
}

/** A size in bytes as KB / MB. */
export function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export function setLang(l) {
  try { localStorage.setItem('lang', l); } catch { /* private mode: this page only */ }
  document.cookie = `lang=${l}; Path=/; SameSite=Lax; Max-Age=31536000`;
  apply();
  document.dispatchEvent(new CustomEvent('langchange'));
}

// The session's CSRF token: taken from any API answer that carries one
// (login, GET /api/session) and sent on every non-GET request.
let csrfToken = null;

export function setCsrfToken(token) { csrfToken = token || null; }

/**
 * fetch() for our API: sends the UI language, JSON-encodes `options.json`,
 * adds `x-csrf-token` to non-GET requests when a token is known, parses the
 * JSON answer (with `as: 'blob'`, a successful answer's body is a Blob).
 * Returns {status, ok, body, headers}; throws only on network failure.
 */
export async function api(path, options = {}) {
  const { json, as, ...rest } = options;
  const method = (rest.method || (json !== undefined ? 'POST' : 'GET')).toUpperCase();
  const headers = {
    'accept': 'application/json',
    'accept-language': lang() === 'en' ? 'en' : 'zh-CN',
    ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(method !== 'GET' && method !== 'HEAD' && csrfToken ? { 'x-csrf-token': csrfToken } : {}),
    ...(rest.headers || {}),
  };
  const init = { ...rest, method, headers, credentials: 'same-origin' };
  if (json !== undefined) init.body = JSON.stringify(json);
  const response = await fetch(path, init);
  let body = null;
  if (as === 'blob' && response.ok) return { status: response.status, ok: true, body: await response.blob(), headers: response.headers };
  try { body = await response.json(); } catch { body = null; }
  if (body && typeof body.csrf_token === 'string') csrfToken = body.csrf_token;
  return { status: response.status, ok: response.ok, body, headers: response.headers };
}

/** The API error objects of a failed answer (one, or `details.errors` when the API lists several). */
export function errorsOf(res) {
  const error = res.body?.error;
  if (!error) return [both('error.status', { n: res.status })];
  const list = error.details?.errors;
  if (Array.isArray(list) && list.length) return list;
  return [error];
}

/** Seconds to wait after a 429: `details.retry_after_seconds`, else `Retry-After`. */
export function retryAfter(res) {
  const fromBody = Number(res.body?.error?.details?.retry_after_seconds);
  if (Number.isFinite(fromBody) && fromBody > 0) return Math.ceil(fromBody);
  const fromHeader = Number(res.headers?.get?.('retry-after'));
  return Number.isFinite(fromHeader) && fromHeader > 0 ? Math.ceil(fromHeader) : null;
}

export function init() {
  apply();
  document.getElementById('lang-switch')?.addEventListener('click', () => setLang(lang() === 'en' ? 'zh' : 'en'));
}
