"""Text pools for the demo production log of Acme Cloud (a fictional analytics SaaS that also ships
hardware security keys). Used only by data/generate_demo_log.py.

Every ticket is built from an optional greeting, a category-specific problem with slots, an optional
detail, an impact sentence that sets the urgency, and an optional closing, so a few thousand rows stay
pairwise distinct (the generator checks that with the sampler's own shingles).
"""

CATEGORIES = ["billing", "account_access", "technical_bug", "feature_request",
              "shipping", "outage", "security", "general_question"]

SLOTS = {
    "plan": ["Starter", "Team", "Business", "Enterprise", "Team annual", "Business monthly"],
    "month": ["September", "October", "November", "last month's", "this month's", "the Q3"],
    "amount": ["$49", "$120", "$348", "$1,188", "EUR 99", "GBP 240", "$2,400", "$75.60", "EUR 412.80"],
    "feature": ["CSV export", "PDF export", "scheduled exports", "the Dashboard", "chart drill-down",
                "webhooks", "the alerts page", "saved filters", "the query editor", "data connectors",
                "the REST API", "embedded dashboards", "the mobile app", "team invitations"],
    "browser": ["Chrome", "Firefox", "Safari", "Edge", "the desktop app", "Chrome on Windows", "Safari on iPad"],
    "when": ["since this morning", "since Monday", "for two days", "since the last release",
             "since about 9am", "since yesterday evening", "for a week now", "since we upgraded"],
    "count": ["3", "5", "12", "20", "40", "150", "a dozen", "all of our"],
    "region": ["EU", "US-East", "US-West", "APAC", "UK", "Canada"],
    "code": ["500", "502", "503", "504", "429"],
    "days": ["two weeks", "ten days", "a month", "three weeks", "six business days"],
    "city": ["Denver", "Lyon", "Leeds", "Austin", "Rotterdam", "Toronto", "Porto", "Graz"],
    "carrier": ["the courier", "UPS", "DHL", "FedEx", "the local post office"],
    "ask": ["dark mode", "an Excel export", "SAML group sync", "a Slack integration", "custom fiscal years",
            "per-user API rate limits", "row-level permissions", "a Terraform provider", "annotations on charts",
            "audit log export", "a Python SDK", "two decimal places in KPI tiles", "Sunday as week start"],
    "team": ["finance team", "marketing team", "support staff", "analysts", "sales managers", "ops team"],
}

# (problem sentence, summary, base urgency); slots in braces come from SLOTS.
PROBLEMS = {
    "billing": [
        ("We were charged twice for the {plan} plan in {month} billing cycle.", "Duplicate charge for the {plan} plan.", "high"),
        ("Our invoice shows {amount} but we downgraded to {plan} weeks ago.", "Invoice amount does not reflect the downgrade to {plan}.", "medium"),
        ("I need a copy of {month} invoice with our VAT number on it.", "Copy of invoice with VAT number requested.", "low"),
        ("The card on file expired and the Billing page will not accept the new one.", "New payment card rejected on the Billing page.", "medium"),
        ("We cancelled the {plan} trial but still got charged {amount}.", "Charged {amount} after cancelling the {plan} trial.", "high"),
        ("Can we switch from monthly to annual billing and get the discount pro-rated?", "Switch to annual billing with pro-rated discount.", "low"),
        ("Why did our bill go up to {amount} when nothing changed on our side?", "Unexpected bill increase to {amount}.", "medium"),
        ("Please refund the {amount} charged for seats we removed in {month} cycle.", "Refund requested for removed seats.", "medium"),
    ],
    "account_access": [
        ("I can't log in, the password reset email never arrives.", "Password reset email not arriving.", "medium"),
        ("My two-factor codes are rejected since I changed phones.", "Two-factor codes rejected after phone change.", "medium"),
        ("Our SSO login loops back to the sign-in page in {browser}.", "SSO login loops back to sign-in in {browser}.", "medium"),
        ("The account got locked after too many attempts and the unlock link has expired.", "Account locked and unlock link expired.", "medium"),
        ("We need to move the account owner role to a colleague who replaced our admin.", "Account owner role transfer requested.", "low"),
        ("New hires on the {team} cannot accept their team invitations.", "Team invitations cannot be accepted by new hires.", "medium"),
        ("I keep getting logged out every few minutes {when}.", "Frequent forced logouts {when}.", "low"),
        ("We bought {count} extra seats but Team settings still shows the old limit.", "Purchased seats not reflected in Team settings.", "medium"),
    ],
    "technical_bug": [
        ("The {feature} button does nothing when I click it in {browser}.", "{feature} button unresponsive in {browser}.", "medium"),
        ("Charts on the Dashboard show stale numbers even after a refresh {when}.", "Dashboard charts show stale numbers {when}.", "medium"),
        ("{feature} fails with an error code {code} for our workspace {when}.", "{feature} fails with error {code} {when}.", "medium"),
        ("Scheduled exports arrive empty {when} although the report has data.", "Scheduled exports arrive empty {when}.", "medium"),
        ("Dates in {feature} are shifted by one day for our timezone.", "Dates shifted by one day in {feature}.", "low"),
        ("The API returns duplicated rows when we page through results.", "API pagination returns duplicated rows.", "medium"),
        ("Filters reset every time I switch tabs in {browser}.", "Filters reset on tab switch in {browser}.", "low"),
        ("Uploading a CSV over 10 MB times out in the data connector.", "Large CSV uploads time out in the data connector.", "low"),
    ],
    "feature_request": [
        ("Could you add {ask} to the product?", "Request for {ask}.", "low"),
        ("Our {team} keeps asking for {ask}. Is it on the roadmap?", "Roadmap question about {ask}.", "low"),
        ("It would help a lot to have {ask} in {feature}.", "Request for {ask} in {feature}.", "low"),
        ("Please consider supporting {ask}; we would upgrade to {plan} for it.", "Request for {ask}; would upgrade to {plan}.", "low"),
        ("Any plans for {ask}? We currently work around it with spreadsheets.", "Request for {ask}; spreadsheet workaround today.", "low"),
        ("We would love {ask} before our renewal.", "Request for {ask} before renewal.", "low"),
    ],
    "shipping": [
        ("Our security keys were shipped {days} ago and still have not arrived.", "Security keys not delivered after {days}.", "medium"),
        ("{carrier} left the parcel with the security keys at the wrong address in {city}.", "Security keys delivered to the wrong address in {city}.", "medium"),
        ("The tracking number for our key order has not updated in {days}.", "Tracking for key order not updated in {days}.", "low"),
        ("Two of the {count} security keys arrived with a broken casing.", "Security keys arrived damaged.", "medium"),
        ("Can you ship the replacement keys to our office in {city} instead?", "Change shipping address to {city} for replacement keys.", "low"),
        ("The customs office in {city} is holding our key shipment and asks for an invoice.", "Key shipment held by customs in {city}.", "medium"),
    ],
    "outage": [
        ("The whole platform is down, none of our {count} users can reach it {when}.", "Platform unreachable for all users {when}.", "high"),
        ("The API returns {code} for every request in {region} {when}.", "API returns {code} for all requests in {region}.", "high"),
        ("Nobody in our {region} workspace can load any dashboard {when}.", "Dashboards unavailable in the {region} workspace.", "high"),
        ("Everything is extremely slow, pages take over a minute to load for the whole {team}.", "Severe slowness for the whole {team}.", "high"),
        ("Scheduled exports for every customer we serve in {region} stopped {when}.", "Scheduled exports stopped in {region}.", "high"),
    ],
    "security": [
        ("I got a phishing email pretending to be from Acme Cloud asking for my password.", "Phishing email impersonating Acme Cloud.", "high"),
        ("Someone logged into our account from another country and downloaded reports.", "Suspicious login and report downloads from abroad.", "high"),
        ("One of our API keys was pushed to a public repository by mistake.", "API key leaked to a public repository.", "high"),
        ("I think I found a vulnerability in {feature} that exposes other tenants' data.", "Possible cross-tenant data exposure in {feature}.", "high"),
        ("We see login attempts for users who left the company {days} ago.", "Login attempts for departed users.", "high"),
    ],
    "general_question": [
        ("What are your support hours on public holidays?", "Support hours on public holidays.", "low"),
        ("Do you have an office or a partner in {city}?", "Office or partner in {city}.", "low"),
        ("Where is the documentation for {feature}?", "Documentation for {feature}.", "low"),
        ("Is your data stored in the {region} region, and can we choose?", "Data residency in {region}.", "low"),
        ("Do you offer discounts for non-profits or universities?", "Discounts for non-profits or universities.", "low"),
        ("How long do you keep our data after we cancel?", "Data retention after cancellation.", "low"),
    ],
}

GREETINGS = ["", "", "Hi,", "Hello,", "Hi team,", "Good morning,", "Hey support,", "Dear Acme Cloud,"]
DETAILS = [
    "", "", "",
    "We already tried logging out and back in.",
    "I attached nothing because the page shows no error.",
    "This worked fine last week.",
    "Clearing the browser cache did not help.",
    "It happens for every user in our workspace, not just me.",
    "Our account manager is on holiday so I am writing here.",
    "We are on the {plan} plan.",
    "Two colleagues see the same thing in {browser}.",
    "I checked the help center article but it did not cover this case.",
]
IMPACT = {
    "low": ["", "", "No rush, whenever you get a chance.", "It is not blocking us.", "Just curious really."],
    "medium": ["", "This is blocking my work today.", "My {team} cannot finish their weekly report.",
               "We have no workaround for now."],
    "high": ["We need this fixed before tomorrow's board meeting.", "This is costing us money every hour.",
             "Our whole company is blocked.", "Please treat this as urgent."],
}
CLOSINGS = ["", "", "Thanks.", "Thanks in advance.", "Appreciate the help.", "Cheers.", "Kind regards.", "Thank you!"]

# People for planted PII (fictional). Deliberately not taken from a name library: the scrubber's
# name detector must find them without having seen this list.
FIRST_NAMES = ["Maria", "Jonas", "Priya", "Kenji", "Fatima", "Lucas", "Sofia", "Daniel", "Aisha", "Tomasz",
               "Elena", "Omar", "Hannah", "Mateo", "Chloe", "Ravi", "Ingrid", "Samuel", "Yuki", "Nadia"]
LAST_NAMES = ["Gonzalez", "Becker", "Patel", "Tanaka", "Haddad", "Martin", "Rossi", "Walsh", "Okafor", "Nowak",
              "Petrova", "Farouk", "Schmidt", "Alvarez", "Dubois", "Iyer", "Lindqvist", "Brooks", "Sato", "Kowalski"]
EMAIL_DOMAINS = ["northwind-trading.com", "globex.example", "initech.io", "umbrella-health.org", "mail.example.net"]
PHONES = ["+1 415-555-{n:04d}", "(212) 555-{n:04d}", "+44 20 7946 {n:04d}", "+49 30 9018{n:04d}", "+33 1 42 68 {a:02d} {b:02d}"]
IBAN_SHAPES = {"DE": 18, "FR": 23, "ES": 20, "NL": 14, "GB": 18}  # BBAN lengths (digits; GB/NL get a bank code)

PII_SENTENCES = {
    "email": ["You can reach me at {value}.", "Please reply to {value} rather than the shared inbox.",
              "My login email is {value}."],
    "phone": ["Call me on {value} if that is easier.", "My direct line is {value}.",
              "Text {value} when it is fixed."],
    "card": ["The charge was on card {value}.", "We paid with {value}, expiry 09/28."],
    "iban": ["Please send the refund to IBAN {value}.", "Our bank account is {value}."],
    "person": ["My name is {value} and I manage our account.", "Best regards, {value}",
               "Please ask for {value} from our {team}.", "Thanks, {value}"],
}

FOREIGN = {
    "de": ["Ich kann mich seit heute Morgen nicht mehr anmelden, das Passwort wird nicht akzeptiert.",
           "Unsere Rechnung für {month} ist doppelt abgebucht worden, bitte erstatten Sie den Betrag.",
           "Der Export als CSV funktioniert seit dem letzten Update nicht mehr. Können Sie helfen?",
           "Die Sicherheitsschlüssel sind nach zwei Wochen immer noch nicht angekommen."],
    "fr": ["Je n'arrive plus à me connecter depuis ce matin, le code de vérification est refusé.",
           "Notre facture du mois dernier est incorrecte, nous avons été débités deux fois.",
           "Le tableau de bord affiche des chiffres d'hier même après actualisation.",
           "Pourriez-vous ajouter un mode sombre à l'application ? Toute l'équipe le demande."],
    "es": ["No puedo iniciar sesión desde ayer, el correo para restablecer la contraseña no llega.",
           "Nos cobraron dos veces la suscripción de este mes, por favor devuelvan un cargo.",
           "La exportación programada llega vacía aunque el informe tiene datos.",
           "Las llaves de seguridad llegaron a una dirección equivocada en {city}."],
}

REPLY_STEPS = {
    "billing": "I have passed this to our billing team, who will check the charges on your account and confirm "
               "the next steps by email. You can see every invoice on the Billing page in the meantime.",
    "account_access": "Please reply from the account owner's email address so we can verify the request. "
                      "Our accounts team will then help you get back in; never share passwords or codes with us.",
    "technical_bug": "Could you reply with the workspace name and the time you last saw it? Our engineers will "
                     "look at the logs and confirm what they find.",
    "feature_request": "I have shared this with our product team, who read every request. We cannot promise a date, "
                       "but we will let you know if it is planned.",
    "shipping": "I have asked our logistics team to check the shipment with the carrier. They will confirm the "
                "status and any replacement by email.",
    "outage": "We are sorry for the disruption. Please follow status.acmecloud.example for live updates while "
              "our engineers work on it.",
    "security": "Thank you for reporting this. Our security team is reviewing it now; please do not share the "
                "details publicly while they investigate.",
    "general_question": "Our help center at help.acmecloud.example covers this in detail, and I am happy to "
                        "point you to the right article if you reply with a little more context.",
}

VENDORS = [  # (name, currency)
    ("Northwind Supplies Ltd", "GBP"), ("Contoso Office GmbH", "EUR"), ("Blue Bottle Cafe", "USD"),
    ("Fabrikam Hosting Inc", "USD"), ("Tailspin Travel", "CAD"), ("Alpine Print AG", "CHF"),
    ("Lakeside Catering", "USD"), ("Brightline Telecom", "EUR"), ("Harbor Freight Couriers", "USD"),
    ("Maple Leaf Stationery", "CAD"), ("Rhein Logistik GmbH", "EUR"), ("Thames Cleaning Co", "GBP"),
    ("Cloudberry Software", "EUR"), ("Summit Legal LLP", "GBP"), ("Pacific Coffee Roasters", "USD"),
    ("Zurich Workspace AG", "CHF"), ("Lumen Electric", "USD"), ("Atlas Furniture SARL", "EUR"),
    ("Redwood Consulting", "USD"), ("Nordic Data AB", "EUR"), ("Granite Security Ltd", "GBP"),
    ("Prairie Internet", "CAD"), ("Vienna Events GmbH", "EUR"), ("Copperfield Books", "GBP"),
]
ITEMS = ["Consulting hours", "Cloud hosting", "Office supplies", "Team lunch", "Taxi to airport", "Printer toner",
         "Conference tickets", "Courier delivery", "Monthly cleaning", "Coffee beans", "Software licence",
         "Desk chairs", "Hotel night", "Train ticket", "Legal review", "Catering for workshop", "Mobile plan",
         "Domain renewal", "Security audit", "Standing desk", "Paper, A4", "Monitor stand", "Event venue deposit"]
TAX = {"USD": 0.0825, "CAD": 0.13, "EUR": 0.19, "GBP": 0.20, "CHF": 0.081}
SYMBOL = {"USD": "$", "CAD": "C$", "EUR": "\u20ac", "GBP": "\u00a3", "CHF": "CHF "}
