//! Issue 23, part 6: the case page explains itself. A section that is absent says why (who may
//! decide an escalation, who must confirm a proposed approval, why a rejected case offers
//! nothing); the rules applied show their parameters in words with amounts grouped for their
//! currency; the signals no rule weighed stand beside the reasons.

use crate::office_client::OfficeApp;
use axum::http::StatusCode;
use compliance_domain::{EntityId, ReviewReason, Verdict};

fn decide_form(case: &str) -> String {
    format!("action=\"/office/cases/{case}/decide\"")
}

#[tokio::test]
async fn an_analyst_sees_why_they_cannot_decide_an_escalation_and_who_must_confirm() {
    let app = OfficeApp::new();
    let (case, _, revision) = app.case_of("in-corp-pep-002");
    let analyst = app.signed_in("analyst").await;
    let page = analyst.get(&format!("/office/cases/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains(&decide_form(&case)),
        "no decision offered"
    );
    assert!(
        page.body.contains("You cannot decide this escalation: escalated cases are decided by compliance officers and admins"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Matches are cleared as false positives by compliance officers and admins")
    );
    // A provider's screening: why its matches are not explained here.
    assert!(page.body.contains("Screened by the provider"));

    // An officer proposes approval: the analyst is told who proposed and who must confirm.
    let s = &app.s;
    s.compliance
        .review(
            &s.officer(),
            case.parse().unwrap(),
            Verdict::Approve,
            &ReviewReason::parse("Enhanced due diligence done").unwrap(),
            i32::try_from(revision).unwrap(),
        )
        .unwrap();
    let page = analyst.get(&format!("/office/cases/{case}")).await;
    assert!(
        page.body.contains("approval was proposed by compliance.officer, and a compliance officer or admin other than compliance.officer must confirm it"),
        "{}",
        page.body
    );
    let proposer = app.signed_in("compliance.officer").await;
    let page = proposer.get(&format!("/office/cases/{case}")).await;
    assert!(page.body.contains(
        "You proposed this approval: a different compliance officer or admin must confirm it."
    ));
    let second = app.signed_in("second.officer").await;
    let page = second.get(&format!("/office/cases/{case}")).await;
    assert!(
        page.body
            .contains("Approval proposed by compliance.officer: confirming it approves the case.")
    );
    assert!(page.body.contains(&decide_form(&case)));
}

#[tokio::test]
async fn a_rejected_case_says_it_is_final() {
    let app = OfficeApp::new();
    let (case, status, _) = app.case_of("in-ind-rejected-003");
    assert_eq!(status, "REJECTED");
    let officer = app.signed_in("compliance.officer").await;
    let page = officer.get(&format!("/office/cases/{case}")).await;
    assert!(!page.body.contains(&decide_form(&case)));
    assert!(
        page.body
            .contains("Nobody decides this case: a REJECTED case is final."),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("A REJECTED case is not in the review queue: nobody works it.")
    );
}

#[tokio::test]
async fn rule_parameters_read_in_words_with_amounts_grouped_for_their_currency() {
    let app = OfficeApp::new();
    let b = app.signed_in("analyst").await;
    for (entity, amounts) in [
        (
            "in-ind-accredited-001",
            ["2,00,00,000 INR (2 crore)", "7,50,00,000 INR (7.5 crore)"],
        ),
        ("us-corp-accredited-001", ["1,000,000 USD", "5,000,000 USD"]),
    ] {
        let (case, _, _) = app.case_of(entity);
        let page = b.get(&format!("/office/cases/{case}")).await;
        assert!(
            page.body
                .contains("rule versions applied, and what each checks")
        );
        for amount in amounts {
            assert!(
                page.body.contains(amount),
                "{entity}: {amount} missing: {}",
                page.body
            );
        }
        // Never the stored JSON (askama escapes its quotes as &#34;).
        assert!(
            !page.body.contains("&#34;kind&#34;"),
            "{entity}: raw parameters shown"
        );
    }
    let page = b.get("/office/rules?jurisdiction=IN").await;
    assert!(
        page.body.contains("2,00,00,000 INR (2 crore)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("&#34;kind&#34;"));
}

#[tokio::test]
async fn the_signals_no_rule_weighed_stand_beside_the_reasons() {
    let app = OfficeApp::new();
    let s = &app.s;
    let b = app.signed_in("compliance.officer").await;
    let mut listed = 0;
    for scenario in compliance_rules::scenarios::scenarios() {
        let entity = EntityId::parse(scenario.id).unwrap();
        let case = s.compliance.current_case(&s.officer(), &entity).unwrap();
        let page = b.get(&format!("/office/cases/{}", case.id)).await;
        let aside = &page.body[page.body.find("<aside class=\"unweighed\"").unwrap()..];
        let aside = &aside[..aside.find("</aside>").unwrap()];
        let signals = case.unweighed_signals.expect("the engine lists them");
        let expected: Vec<String> = signals
            .red_flags()
            .map(|f| format!("<li>red flag {f}</li>"))
            .chain(signals.matches().map(|k| format!("<li>{k} match</li>")))
            .collect();
        assert_eq!(
            aside.matches("<li>").count(),
            expected.len(),
            "{}: {aside}",
            scenario.id
        );
        for item in &expected {
            assert!(
                aside.contains(item.as_str()),
                "{}: {item} missing: {aside}",
                scenario.id
            );
        }
        if expected.is_empty() {
            assert!(
                aside.contains("None: a rule weighed every signal"),
                "{aside}"
            );
        } else {
            assert!(aside.contains("no rule in force weighed them"));
            listed += 1;
        }
        // Beside the reasons: in the same block as their table.
        let reasons = page.body.find("<div class=\"beside\">").unwrap();
        assert!(reasons < page.body.find("<aside class=\"unweighed\"").unwrap());
    }
    assert!(listed > 0, "some seed case carries a signal no rule weighs");
}
