window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1790552721392440260"
          ],
          "editableUntil" : "2024-05-14T09:19:41.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "外遊びケンジ",
            "screen_name" : "kenji_sotoasobi",
            "indices" : [
              "0",
              "16"
            ],
            "id_str" : "73345561",
            "id" : "73345561"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "126"
      ],
      "favorite_count" : "2",
      "in_reply_to_status_id_str" : "1790548333117056066",
      "id_str" : "1790552721392440260",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1790552721392440260",
      "in_reply_to_status_id" : "1790548333117056066",
      "in_reply_to_user_id" : "73345561",
      "in_reply_to_user_id_str" : "73345561",
      "in_reply_to_screen_name" : "kenji_sotoasobi",
      "created_at" : "Wed May 15 01:20:10 +0000 2024",
      "favorited" : false,
      "full_text" : "@kenji_sotoasobi Yes! We ship to Japan in 5–7 business days, duties included. Here's our shipping page: https://t.co/Nw7ShIp02",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1790307364101437079"
          ],
          "editableUntil" : "2024-05-14T09:19:41.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Ruth wandert",
            "screen_name" : "ruthie_wandert",
            "indices" : [
              "0",
              "15"
            ],
            "id_str" : "1622001234567890433",
            "id" : "1622001234567890433"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "66"
      ],
      "favorite_count" : "3",
      "in_reply_to_status_id_str" : "1790303809052622001",
      "id_str" : "1790307364101437079",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1790307364101437079",
      "in_reply_to_status_id" : "1790303809052622001",
      "in_reply_to_user_id" : "1622001234567890433",
      "in_reply_to_user_id_str" : "1622001234567890433",
      "in_reply_to_screen_name" : "ruthie_wandert",
      "created_at" : "Tue May 14 09:05:12 +0000 2024",
      "favorited" : false,
      "full_text" : "@ruthie_wandert Danke, Ruth! Freut uns sehr, dass die Hose passt 💚",
      "lang" : "de"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1790295907419124187"
          ],
          "editableUntil" : "2024-05-14T09:19:41.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Maya R. 🏕️",
            "screen_name" : "maya_trails",
            "indices" : [
              "0",
              "12"
            ],
            "id_str" : "88120345",
            "id" : "88120345"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "150"
      ],
      "favorite_count" : "9",
      "in_reply_to_status_id_str" : "1790293987506229643",
      "id_str" : "1790295907419124187",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1790295907419124187",
      "in_reply_to_status_id" : "1790293987506229643",
      "in_reply_to_user_id" : "88120345",
      "in_reply_to_user_id_str" : "88120345",
      "in_reply_to_screen_name" : "maya_trails",
      "created_at" : "Tue May 14 08:19:41 +0000 2024",
      "favorited" : false,
      "full_text" : "@maya_trails That's not how a Ridgeline should hold up, Maya – sorry! Please DM us your order number &amp; a photo and we'll ship a replacement today.",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1790034264727319326"
          ],
          "editableUntil" : "2024-05-14T09:19:41.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "113"
      ],
      "favorite_count" : "31",
      "id_str" : "1790034264727319326",
      "truncated" : false,
      "retweet_count" : "6",
      "id" : "1790034264727319326",
      "created_at" : "Mon May 13 15:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "Waxing your boots before the wet season? Our 3-step guide keeps leather supple &amp; dry 🥾 https://t.co/Nw7BoOt03",
      "lang" : "en"
    }
  }
]